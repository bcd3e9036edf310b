import { join } from 'node:path';
import { EmbeddedPostgresServer, provisionStackDatabases } from '@runnerly/dev-infra';
import { DATABASE_SERVICES, type ServiceName } from '@runnerly/platform';
import { generateSecret, readOrCreateSecretFile } from '@runnerly/security/secrets';
import { databaseUrlVariable, type StackConfig } from '../config/stack.config';
import { type LauncherOutput } from '../output/launcher.output';
import { type StackSupervisor } from './stack.supervisor';

/**
 * The connection URL of the database of each service that owns one (the manifest says which). Given URLs are used as they are; otherwise the embedded
 * PostgreSQL is started (initialised on the first start, recovered after a killed launcher) and each
 * service gets its own database and least-privilege role, whose password is generated once and kept in
 * the secrets folder. Database per service: `runs` cannot even connect to the `users` database.
 */
export async function prepareServiceDatabases(
  config: StackConfig,
  stack: StackSupervisor,
  output: LauncherOutput,
): Promise<Partial<Record<ServiceName, string>>> {
  if (config.databases.kind === 'external') {
    output.info(
      `Using the databases of ${DATABASE_SERVICES.map(databaseUrlVariable).join(', ')} (no embedded PostgreSQL)`,
    );
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

  // Each role's password is generated once and kept in the secrets folder.
  const urls = await provisionStackDatabases(superuserUrl, (service) =>
    readOrCreateSecretFile(join(config.secretsDir, `${service}-db-password`), () => generateSecret()),
  );
  output.info(`Databases ${DATABASE_SERVICES.join(' and ')} are ready, each with its own role`, 'postgres');
  return urls;
}
