import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DEPENDENCY_OUTAGE } from '@runnerly/security';
import { DATABASE_DEFAULTS, type DatabaseOptions } from './database.options';
import { DATABASE_OPTIONS, MigrationsOnStart } from './migrations-on-start';
import { isDatabaseUnavailable } from './postgres-errors';
import { SafeTypeOrmLogger } from './typeorm-logger';

/**
 * PostgreSQL through TypeORM for one service: its own database, its migrations applied at start, a
 * bounded pool, connect and statement timeouts, and its outages answered 503 (`isDatabaseUnavailable`,
 * through `SafeExceptionFilter`). Import once in the service's root module.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    const statementTimeoutMs = options.statementTimeoutMs ?? DATABASE_DEFAULTS.statementTimeoutMs;
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.url,
          applicationName: options.applicationName,
          entities: options.entities,
          migrations: options.migrations,
          synchronize: false,
          migrationsRun: false,
          logger: new SafeTypeOrmLogger(),
          maxQueryExecutionTime: 1_000,
          poolSize: options.poolSize ?? DATABASE_DEFAULTS.poolSize,
          // node-postgres applies it both to opening a connection and to waiting for one from a full pool.
          connectTimeoutMS: options.connectTimeoutMs ?? DATABASE_DEFAULTS.connectTimeoutMs,
          extra: { statement_timeout: statementTimeoutMs },
          // Nest retries a failed first connection; a service whose database is down fails its readiness instead.
          retryAttempts: 3,
          retryDelay: 1_000,
        }),
      ],
      providers: [
        { provide: DATABASE_OPTIONS, useValue: options },
        { provide: DEPENDENCY_OUTAGE, useValue: isDatabaseUnavailable },
        MigrationsOnStart,
      ],
      exports: [DEPENDENCY_OUTAGE],
    };
  }
}
