import { Type } from 'class-transformer';
import { IsBoolean, IsInt, Matches, Max, Min } from 'class-validator';
import { BaseServiceConfig, EncryptedInProduction, Secret, ToBoolean } from '@runnerly/security';
import { DATABASE_DEFAULTS, type DatabaseOptions } from './database.options';

/** The configuration of a service that owns a PostgreSQL database. */
export class DatabaseServiceConfig extends BaseServiceConfig {
  /**
   * The service's own database, through a role that can use nothing else. Over TLS with
   * `?sslmode=verify-full&sslrootcert=<CA file>`: the server's certificate must chain to that CA and name the host.
   */
  @Secret({ kind: 'url-password' })
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  @EncryptedInProduction(
    (url) => url.searchParams.get('sslmode') === 'verify-full',
    'add ?sslmode=verify-full',
  )
  DATABASE_URL!: string;

  /** Apply pending migrations at start (under an advisory lock, so replicas take turns). */
  @ToBoolean()
  @IsBoolean()
  DATABASE_MIGRATE_ON_START = true;

  /**
   * Longest wait for a connection, whether a new one is being opened or the pool is full: past it the
   * request answers 503 instead of hanging while the database is unreachable.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  DATABASE_CONNECT_TIMEOUT_MS: number = DATABASE_DEFAULTS.connectTimeoutMs;

  /** A statement running longer is cancelled by the server, so one slow query cannot hold a connection. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DATABASE_STATEMENT_TIMEOUT_MS: number = DATABASE_DEFAULTS.statementTimeoutMs;

  /** Connections this process keeps open. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE: number = DATABASE_DEFAULTS.poolSize;
}

/** A service's database module options: its entities and migrations, and the connection settings of its config. */
export function databaseOptionsFrom(
  config: DatabaseServiceConfig,
  service: string,
  schema: Pick<DatabaseOptions, 'entities' | 'migrations'>,
): DatabaseOptions {
  return {
    url: config.DATABASE_URL,
    applicationName: `runnerly-${service}`,
    entities: schema.entities,
    migrations: schema.migrations,
    migrateOnStart: config.DATABASE_MIGRATE_ON_START,
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  };
}
