import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type DatabaseOptions } from './database.options';
import { applyPendingMigrations } from './migrate/apply-pending-migrations';

export const DATABASE_OPTIONS = Symbol('runnerly:database-options');

/**
 * Applies pending migrations while the service boots, before it accepts requests, unless `migrateOnStart` is
 * false (a deployment that runs `node migrate.js` first). Replicas that start together take turns
 * (applyPendingMigrations holds an advisory lock).
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
    const applied = await applyPendingMigrations(this.dataSource);
    if (applied.length > 0) this.logger.log({ migrations: applied }, 'Applied migrations');
  }
}
