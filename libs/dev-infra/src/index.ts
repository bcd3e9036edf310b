// Development and test tooling: the embedded PostgreSQL server behind `npm start` and the test harness,
// per-service database provisioning, and private secret files. Never imported by the services themselves.
export { type LogLine } from './log-line';
export {
  EmbeddedPostgresServer,
  SUPERUSER,
  SUPERUSER_PASSWORD_FILE,
  type EmbeddedPostgresServerOptions,
} from './postgres/embedded-postgres.server';
export {
  assertValidServiceDatabase,
  MIN_SERVICE_PASSWORD_LENGTH,
  provisionServiceDatabase,
  SERVICE_DATABASE_NAME_PATTERN,
  type ServiceDatabase,
} from './postgres/provision-service-database';
