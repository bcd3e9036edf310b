export { DatabaseModule } from './database.module';
export { DATABASE_DEFAULTS, type DatabaseOptions } from './database.options';
export { DatabaseReadiness } from './database.readiness';
export { isDatabaseUnavailable, isUniqueViolation } from './postgres-errors';
export { decodeCursor, encodeCursor, type KeysetPosition, toPage } from './keyset-cursor';
export { DatabaseServiceConfig } from './database-service.config';
