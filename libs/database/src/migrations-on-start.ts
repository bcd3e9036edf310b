import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type DatabaseOptions } from './database.options';

export const DATABASE_OPTIONS = Symbol('runnerly:database-options');

/** Any constant works; it only has to be the same for every replica of a service. */
const MIGRATION_LOCK_KEY = 72_616_716;

/**
 * Applies pending migrations while the service boots, before it accepts requests. A PostgreSQL advisory
 * lock makes replicas that start together take turns, so two of them never run the same migration.
 * Schema changes only ever come from migrations: `synchronize` is never on.
 */
@Injectable()
export class MigrationsOnStart implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(DATABASE_OPTIONS) private readonly options: DatabaseOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.migrateOnStart === false) return;
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      // Waiting for another replica's migrations may take longer than the statement timeout allows.
      await lock.query('SET statement_timeout = 0');
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await this.dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0)
        this.logger.log({ migrations: applied.map((migration) => migration.name) }, 'Applied migrations');
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.query('RESET statement_timeout').catch(() => undefined);
      await lock.release();
    }
  }
}
