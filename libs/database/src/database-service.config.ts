import { IsBoolean, Matches } from 'class-validator';
import { BaseServiceConfig, Secret, ToBoolean } from '@runnerly/security';

/** The configuration of a service that owns a PostgreSQL database. */
export class DatabaseServiceConfig extends BaseServiceConfig {
  /** The service's own database, through a role that can use nothing else. */
  @Secret({ kind: 'url-password' })
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  /** Apply pending migrations at start (under an advisory lock, so replicas take turns). */
  @ToBoolean()
  @IsBoolean()
  DATABASE_MIGRATE_ON_START = true;
}
