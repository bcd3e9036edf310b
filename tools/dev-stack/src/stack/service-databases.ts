import { join } from 'node:path';
import { EmbeddedPostgresServer, provisionServiceDatabase } from '@runnerly/dev-infra';
import { generateSecret, readOrCreateSecretFile } from '@runnerly/security/secrets';
import { type StackConfig } from '../config/stack.config';
import { type LauncherOutput } from '../output/launcher.output';
import { type StackSupervisor } from './stack.supervisor';

/** The services that own a database, each with a role of the same name that can use nothing else. */
const DATABASE_SERVICES = ['users', 'runs'] as const;

export type DatabaseUrls = Record<(typeof DATABASE_SERVICES)[number], string>;

/**
 * The connection URL of each service's database. Given URLs are used as they are; otherwise the embedded
 * PostgreSQL is started (initialised on the first start, recovered after a killed launcher) and each
 * service gets its own database and least-privilege role, whose password is generated once and kept in
 * the secrets folder. Database per service: `runs` cannot even connect to the `users` database.
 */
export async function prepareServiceDatabases(
  config: StackConfig,
  stack: StackSupervisor,
  output: LauncherOutput,
): Promise<DatabaseUrls> {
  if (config.databases.kind === 'external') {
    output.info('Using the databases of USERS_DATABASE_URL and RUNS_DATABASE_URL (no embedded PostgreSQL)');
    return config.databases.urls;
  }

  const server = new EmbeddedPostgresServer({
    dataDir: config.databases.dataDir,
    port: config.databases.port,
    secretsDir: config.secretsDir,
    log: (note) => output.info(note, 'postgres'),
    // PostgreSQL's own output is noise while all goes well; when its start fails, the error carries it.
    serverLog: config.verbose ? (line) => output.serviceLine('postgres', line, 'stdout') : () => undefined,
    // Out of the terminal's process group, like the services: a Ctrl-C reaches only the launcher, which
    // stops PostgreSQL last, once no service uses it.
    detached: true,
  });
  const superuserUrl = await stack.startPostgres(server);

  const urls = {} as DatabaseUrls;
  for (const service of DATABASE_SERVICES) {
    const password = await readOrCreateSecretFile(join(config.secretsDir, `${service}-db-password`), () =>
      generateSecret(),
    );
    await provisionServiceDatabase(superuserUrl, { database: service, role: service, password });
    const url = new URL(superuserUrl);
    url.username = service;
    url.password = password;
    url.pathname = `/${service}`;
    urls[service] = url.href;
  }
  output.info(`Databases ${DATABASE_SERVICES.join(' and ')} are ready, each with its own role`, 'postgres');
  return urls;
}
