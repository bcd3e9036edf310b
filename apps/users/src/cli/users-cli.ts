import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AppException,
  generateSecret,
  loadConfig,
  normalizeEmail,
  passwordProblems,
  RevokedSessions,
} from '@runnerly/security';
import { DataSource } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { SecondFactor } from '../mfa/second-factor.service';
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
      Prints a new random client secret and the OAUTH_CLIENTS entry (with its hash) for a service.

  end-sessions --email <email>
      Ends every session of the account (a stolen device, an account taken over): it has to log in
      again everywhere.

  reencrypt-secrets
      Encrypts every stored secret (TOTP secrets) again under the first key of DATA_ENCRYPTION_KEYS,
      after a new key was put first: then the old key can be removed.`;

/** The operator's commands. Returns the process exit status. */
export async function runUsersCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'create-admin') return await createAdmin(rest, io);
    if (command === 'create-client') return createClient(rest, io);
    if (command === 'end-sessions') return await endSessions(rest, io);
    if (command === 'reencrypt-secrets' && rest.length === 0) return await reencryptSecrets(io);
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

  const account = await withUsersService(io, (app) =>
    app.get(AccountsService).register({ email, password, displayName: 'Administrator' }, 'admin'),
  );
  // After the close, so that the result comes last, below the audit line the logger writes asynchronously.
  io.out(`Created admin ${account.email} (${account.id}).`);
  return 0;
}

async function endSessions(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
  if (!values.email) {
    io.err(USAGE);
    return 2;
  }
  const email = normalizeEmail(values.email);
  const outcome = await withUsersService(io, async (app) => {
    const account = await app.get(DataSource).getRepository(Account).findOneBy({ email });
    if (!account) return undefined;
    const ended = await app.get(AccountsService).endSessionsOf(account.id);
    return { account, ended, shared: app.get(RevokedSessions).isShared };
  });
  if (!outcome) {
    io.err(`error: no account has the email ${email}`);
    return 1;
  }
  io.out(
    `Ended ${outcome.ended} session(s) of ${email} (${outcome.account.id}); its refresh tokens are refused now.`,
  );
  io.out(
    outcome.shared
      ? 'Its access tokens are refused now by every service (revocation shared through Redis).'
      : 'Its access tokens are refused now by users; without a shared Redis, other services accept them until they expire.',
  );
  return 0;
}

async function reencryptSecrets(io: CliIo): Promise<number> {
  const { moved, total } = await withUsersService(io, (app) => app.get(SecondFactor).reencryptSecrets());
  io.out(
    `Re-encrypted ${moved} of ${total} stored secret(s) under the current key; the others already were.`,
  );
  return 0;
}

/** Runs `work` against the users service's own modules and database, then closes them. */
async function withUsersService<T>(
  io: CliIo,
  work: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  // A command is not a service: it serves no metrics. It runs beside the service (`docker compose exec users
  // ...`), with its environment, whose metrics listener already holds METRICS_PORT.
  const config = loadConfig(UsersConfig, { LOG_LEVEL: 'warn', ...io.env, METRICS_PORT: undefined });
  const app = await NestFactory.createApplicationContext(UsersModule.forRoot(config), {
    logger: ['error'],
    abortOnError: false,
  });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
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
