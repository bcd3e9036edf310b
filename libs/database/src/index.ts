export { DatabaseModule } from './database.module';
export { DATABASE_DEFAULTS, type DatabaseOptions } from './database.options';
export { isDatabaseUnavailable, isUniqueViolation } from './postgres-errors';
export { decodeCursor, encodeCursor, type KeysetPosition, toPage } from './keyset-cursor';
export { databaseOptionsFrom, DatabaseServiceConfig } from './database-service.config';
export {
  IDEMPOTENCY_REPLAYED_HEADER,
  IdempotencyKey,
  type KeyedRequest,
} from './idempotency/idempotency-key.decorator';
export { forgetIdempotencyKeysOf, type IdempotentAnswer, idempotently } from './idempotency/idempotently';
export { IdempotencyRecord } from './idempotency/idempotency-record.entity';
export { CreateIdempotencyKeys1765000000000 } from './idempotency/create-idempotency-keys.migration';
export { requestFingerprint } from './idempotency/request-fingerprint';
export {
  type BackupSource,
  backUpDatabase,
  restoreDatabaseBackup,
  type ServiceDatabaseTarget,
  verifyBackup,
} from './backup/database-backup';
export { type RestoredDatabase, RestoreRefusedError } from './backup/database-dump';
export { type BackupCliIo, runBackupCli } from './backup/backup-cli';
export { writeBackupFile } from './backup/backup-file';
export { type MigrateCliIo, runMigrateCli } from './migrate/migrate-cli';
