// @runnerly/security: every security control of Runnerly, in one place. A service opts into each
// module in its root module; see docs/architecture.md for the map of which control stops which attack.

export * from './auth/auth.decorators';
export { AuthModule } from './auth/auth.module';
export { type AuthModuleOptions, DEFAULT_CLOCK_TOLERANCE_SECONDS } from './auth/auth-module.options';
export { type Principal, type ServicePrincipal, type UserPrincipal } from './auth/principal';
export { REVOKED_SESSION_KEY_PREFIX, RevokedSessions } from './auth/revoked-sessions';
export { type RouteAccess, RouteAccessAudit } from './auth/route-access';
export { type SessionValidator } from './auth/session-validator';

export {
  BaseServiceConfig,
  loggingOptionsFrom,
  rateLimitOptionsFrom,
  serviceAppOptionsFrom,
} from './config/base-service.config';
export { ConfigError } from './config/config-error';
export { describeConfig, REDACTED } from './config/describe-config';
export {
  DEFAULT_SECRET_BYTES,
  generateSecret,
  MIN_SECRET_BYTES,
  readOrCreateSecretFile,
} from './config/secret-file';
export { type ConfigSchema, loadConfig } from './config/load-config';
export { Secret, type SecretKind, type SecretOptions } from './config/secret.decorator';
export { ToBoolean } from './config/to-boolean.decorator';
export { ServiceConfigModule } from './config/service-config.module';

export {
  AppException,
  AuditedException,
  type AuditRecord,
  type FieldProblem,
  DEPENDENCY_RETRY_AFTER_SECONDS,
  RateLimitedException,
  RetryLaterException,
  ServiceUnavailableException,
} from './errors/app.exception';
export { DEPENDENCY_OUTAGE, type DependencyOutage } from './errors/dependency-outage';
export { type ErrorBody } from './errors/error-body';
export { ErrorCode } from './errors/error-code';
export { type ErrorReply, sendError, toErrorBody } from './errors/error-response';

export { DEFAULT_READINESS_CACHE_MS, HealthModule } from './health/health.module';
export { type HealthStatus } from './health/health.controller';
export { RateLimitStorageReadiness } from './health/rate-limit-storage.readiness';
export { type ReadinessCheck } from './health/readiness-check';

export { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './http/connection-limits';
export { createServiceApp, type ServiceAppOptions, trustedHops } from './http/create-service-app';
export { ALLOWED_METHODS, type HttpHardeningOptions } from './http/http-hardening';
export { DEFAULT_SHUTDOWN, INSTANCE_STOPPING_HEADER, type ShutdownOptions } from './http/graceful-shutdown';
export { HttpSecurityModule } from './http/http-security.module';
export { exposeOpenApiDocument, OPENAPI_DOCUMENT_PATH } from './http/openapi-document';
export { runService } from './http/run-service';
export { REQUEST_ID_HEADER } from './http/request-id';
export { type ServedRoute, servedRoutes } from './http/served-routes';
export { SECURITY_HEADERS } from './http/security-headers';

export {
  BACKGROUND_TASK_FAILED,
  PERIODIC_TASK_DEFAULTS,
  PeriodicTask,
  type PeriodicTaskOptions,
} from './lifecycle/periodic-task';

export { accountFingerprint } from './logging/account-fingerprint';
export { AuditEvent, AuditLog, type AuditDetails } from './logging/audit-log.service';
export { LoggingModule, type LoggingOptions } from './logging/logging.module';
export { type LoggedError, scrubSecrets, statementWithoutValues, toLoggedError } from './logging/safe-error';

export { OwnedRepository } from './ownership/owned-repository';
export { OwnerScope } from './ownership/owner-scope';

export { ConcurrencyLimiter } from './passwords/concurrency-limiter';
export { IsAcceptablePassword } from './passwords/is-acceptable-password.decorator';
export { ARGON2ID_OWASP, PasswordHasher, type PasswordHasherOptions } from './passwords/password-hasher';
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblems } from './passwords/password-policy';

export { CredentialThrottle } from './throttling/credential-throttle';
export { RATE_LIMIT_STORAGE, RateLimitModule } from './throttling/rate-limit.module';
export {
  DEFAULT_RATE_LIMITS,
  type FailedCredentialLimits,
  type RateLimitOptions,
  type WindowLimit,
} from './throttling/rate-limit.options';
export { RedisThrottlerStorage } from './throttling/redis-throttler.storage';
export { SecurityRedis } from './redis/security-redis';
export { CredentialsEndpoint, SkipRateLimit, Throttler } from './throttling/throttling.constants';

export { JWKS_DEFAULTS, JwksKeyResolver, type JwksKeyResolverOptions } from './tokens/jwks-key-resolver';
export { type KeyResolver } from './tokens/key-resolver';
export { IsPublicKeyBundle, parsePublicKeyBundle } from './tokens/public-key-bundle';
export { type PublicJwk, SIGNING_ALGORITHM, SigningKey } from './tokens/signing-key';
export { type Jwks, SigningKeyRing } from './tokens/signing-key-ring';
export * from './tokens/token-claims';
export {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_SERVICE_TOKEN_TTL_SECONDS,
  type IssuedToken,
  TokenIssuer,
  type TokenIssuerOptions,
} from './tokens/token-issuer';

export { CodePointLength } from './validation/code-point-length.decorator';
export { NormalizeEmail, normalizeEmail } from './validation/normalize-email.decorator';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page, PageQuery } from './validation/page.query';
export { uuidParam } from './validation/uuid-param.pipe';
export { createValidationPipe } from './validation/validation.pipe';
