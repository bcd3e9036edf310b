import { parseArgs } from 'node:util';
import { loadConfig, scrubSecrets } from '@runnerly/security';
import { DataSource, type MixedList } from 'typeorm';
import { DatabaseServiceConfig } from '../database-service.config';
import { SafeTypeOrmLogger } from '../typeorm-logger';
import { applyPendingMigrations } from './apply-pending-migrations';

export interface MigrateCliIo {
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  err: (line: string) => void;
}

const USAGE = `Usage: node migrate.js

  Applies this service's pending migrations to its database, then exits: 0 when the database is up to date,
  1 when it could not be brought there. Processes that migrate the same database take turns (an advisory lock),
  so running it while replicas start, or twice at once, applies each migration once.

Reads DATABASE_URL (or DATABASE_URL_FILE), and DATABASE_CONNECT_TIMEOUT_MS and DATABASE_STATEMENT_TIMEOUT_MS.`;

/** `node migrate.js` in a service image. Returns the exit status; messages go to `err`, never the password. */
export async function runMigrateCli(
  service: string,
  // TypeORM's own type for the list; the migration classes of the service.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>,
  io: MigrateCliIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...io.args],
    options: { help: { type: 'boolean' } },
    allowPositionals: true,
    strict: false,
  });
  if (values.help || positionals.length > 0 || Object.keys(values).length > 0) {
    io.err(USAGE);
    return values.help ? 0 : 2;
  }

  let password = '';
  try {
    // The service's own database settings, with their bounds, defaults and production rules (TLS to the
    // database); none of them is required but DATABASE_URL, so a migration Job needs no other secret.
    const config = loadConfig(DatabaseServiceConfig, io.env);
    password = passwordOf(config.DATABASE_URL);
    const dataSource = new DataSource({
      type: 'postgres',
      url: config.DATABASE_URL,
      applicationName: `runnerly-${service}-migrate`,
      migrations,
      synchronize: false,
      migrationsRun: false,
      logger: new SafeTypeOrmLogger(),
      // One connection holds the lock while another runs the migrations.
      poolSize: 2,
      connectTimeoutMS: config.DATABASE_CONNECT_TIMEOUT_MS,
      extra: { statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS },
    });
    await dataSource.initialize();
    try {
      const applied = await applyPendingMigrations(dataSource);
      io.err(
        applied.length === 0
          ? `The ${service} database is up to date`
          : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to the ${service} database: ${applied.join(', ')}`,
      );
    } finally {
      await dataSource.destroy();
    }
    return 0;
  } catch (error) {
    io.err(withoutPassword(error instanceof Error ? error.message : String(error), password));
    return 1;
  }
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

/** The driver's messages name the user, not the password; this makes sure of it, whatever the message. */
function withoutPassword(message: string, password: string): string {
  const scrubbed = scrubSecrets(message);
  return password === '' ? scrubbed : scrubbed.replaceAll(password, '[REDACTED]');
}
