import { type MixedList } from 'typeorm';

export interface DatabaseOptions {
  /** postgres://role:password@host:5432/database — the service's own database and least-privilege role. */
  url: string;
  /** Shown in pg_stat_activity, to tell which service holds a connection. */
  applicationName: string;
  // TypeORM's own types for these lists; entity and migration classes of the service.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  /** Apply pending migrations before the service starts serving. Default: true. */
  migrateOnStart?: boolean;
  /** Connections kept by this process. Default: 10. */
  poolSize?: number;
  /** A statement running longer is cancelled, so one slow query cannot hold a connection forever. Default: 2 s. */
  statementTimeoutMs?: number;
  /** Longest wait to open a connection or to get one from a full pool. Default: 1.5 s. */
  connectTimeoutMs?: number;
}

/**
 * Bounded so that, while the database is unreachable, a request answers 503 within about 2 s
 * (docs/explanation/reliability.md, "Database outages").
 */
export const DATABASE_DEFAULTS = {
  poolSize: 10,
  statementTimeoutMs: 2_000,
  connectTimeoutMs: 1_500,
} as const;
