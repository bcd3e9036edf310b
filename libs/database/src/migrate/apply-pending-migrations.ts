import { type DataSource } from 'typeorm';

/** Any constant works; it only has to be the same for every process that migrates a service's database. */
const MIGRATION_LOCK_KEY = 72_616_716;

/**
 * Applies the pending migrations of the data source, each in its own transaction, and returns their names.
 * A PostgreSQL advisory lock makes the processes that migrate one database at the same time (replicas that
 * start together, a migration Job and a replica) take turns, so two of them never run the same migration: the
 * second finds nothing left to do. Schema changes only ever come from migrations: `synchronize` is never on.
 */
export async function applyPendingMigrations(dataSource: DataSource): Promise<string[]> {
  // The lock is held by a connection of its own; the migrations run on another one of the pool.
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    // Waiting for another process's migrations may take longer than the statement timeout allows.
    await lock.query('SET statement_timeout = 0');
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.query('RESET statement_timeout').catch(() => undefined);
    await lock.release();
  }
}
