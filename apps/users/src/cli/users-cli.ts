import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import {
  AppException,
  generateSecret,
  loadConfig,
  normalizeEmail,
  passwordProblems,
} from '@runnerly/security';
import { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { secretHashOf, SERVICE_SCOPES } from '../oauth/service-clients';
import { UsersConfig } from '../users.config';
import { UsersModule } from '../users.module';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  readStdin: () => string;
  out: (line: string) => void;
  err: (line: string) => void;
}

const USAGE = `Usage: users-cli <command>

  create-admin --email <email> [--password-file <file>]
      Creates an admin account. The password is read from the file, or else from standard input,
      never from the command line (which other users of the machine can see).

  create-client --id <client-id> [--scope <scope> ...]
      Prints a new random client secret and the OAUTH_CLIENTS entry (with its hash) for a service.`;

/** The operator's commands. Returns the process exit status. */
export async function runUsersCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'create-admin') return await createAdmin(rest, io);
    if (command === 'create-client') return createClient(rest, io);
    io.err(USAGE);
    return 2;
  } catch (error) {
    io.err(error instanceof AppException || error instanceof Error ? `error: ${error.message}` : 'error');
    return 1;
  }
}

async function createAdmin(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, 'password-file': { type: 'string' } },
  });
  if (!values.email) {
    io.err(USAGE);
    return 2;
  }
  const email = normalizeEmail(values.email);
  const password = (
    values['password-file'] ? readFileSync(values['password-file'], 'utf8') : io.readStdin()
  ).replace(/\r?\n$/, '');
  const problems = passwordProblems(password, email);
  if (problems.length > 0) {
    io.err(`error: ${problems.join('; ')}`);
    return 1;
  }

  const config = loadConfig(UsersConfig, { LOG_LEVEL: 'warn', ...io.env });
  const app = await NestFactory.createApplicationContext(UsersModule.forRoot(config), {
    logger: ['error'],
    abortOnError: false,
  });
  let account: Account;
  try {
    account = await app
      .get(AccountsService)
      .register({ email, password, displayName: 'Administrator' }, 'admin');
  } finally {
    await app.close();
  }
  // After the close, so that the result comes last, below the audit line the logger writes asynchronously.
  io.out(`Created admin ${account.email} (${account.id}).`);
  return 0;
}

function createClient(args: string[], io: CliIo): number {
  const { values } = parseArgs({
    args,
    options: { id: { type: 'string' }, scope: { type: 'string', multiple: true } },
  });
  const scopes = values.scope ?? [...SERVICE_SCOPES];
  if (!values.id || !scopes.every((scope) => (SERVICE_SCOPES as readonly string[]).includes(scope))) {
    io.err(USAGE);
    return 2;
  }
  const secret = generateSecret();
  io.out(`Client secret (give it to the service as a secret; it is not stored anywhere):\n${secret}\n`);
  io.out(
    `OAUTH_CLIENTS entry:\n${JSON.stringify({ clientId: values.id, secretHash: secretHashOf(secret), scopes })}`,
  );
  return 0;
}
