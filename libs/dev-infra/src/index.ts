// Development and test tooling: the embedded PostgreSQL server behind `npm start` and the test harness,
// per-service database provisioning, private secret files, and a development CA. Never imported by the services
// themselves.
export { type LogLine } from './log-line';
export {
  EmbeddedPostgresServer,
  SUPERUSER,
  SUPERUSER_PASSWORD_FILE,
  type EmbeddedPostgresServerOptions,
} from './postgres/embedded-postgres.server';
export { disarmEmbeddedPostgresSignalHooks } from './postgres/embedded-postgres-hooks';
export {
  assertValidServiceDatabase,
  MIN_SERVICE_PASSWORD_LENGTH,
  provisionServiceDatabase,
  provisionStackDatabases,
  SERVICE_DATABASE_NAME_PATTERN,
  type ServiceDatabase,
  stackDatabaseUrl,
} from './postgres/provision-service-database';
export {
  isSameProcessRunning,
  type ProcessIdentity,
  readProcessIdentity,
  stopRecordedProcess,
} from './process/process-identity';
export { ServiceProcess, type ServiceOutputLine, type ServiceProcessOptions } from './stack/service-process';
export { stackEnvironment, type StackTopology } from './stack/stack-environment';
export { ensureBuilt, serviceEntry, WORKSPACE_ROOT } from './build/ensure-built';
export { freePort } from './net/free-port';
export { type CaughtMail } from './mail/caught-mail';
export { type CertificateRequest, DevelopmentCa, type IssuedCertificate } from './tls/development-ca';
export { OtlpReceiver, type ReceivedSpan, SPAN_KIND } from './otlp/otlp-receiver';
