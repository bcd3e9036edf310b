// @runnerly/security: every security control of Runnerly, in one place. A service opts into each
// module in its root module; see docs/architecture.md for the map of which control stops which attack.

export * from './auth/auth.decorators';
export { AuthModule } from './auth/auth.module';
export {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_RECENT_AUTHENTICATION_SECONDS,
} from './auth/auth-module.options';
export { type ServicePrincipal, type UserPrincipal } from './auth/principal';
export { RevokedSessions } from './auth/revoked-sessions';
export { RouteAccessAudit } from './auth/route-access';
export { type SessionValidator } from './auth/session-validator';

export {
  BrowserSessionEndpoint,
  CrossSiteRequestGuard,
  crossSiteRequestProblem,
  CSRF_HEADER,
  TRUSTED_BROWSER_ORIGIN,
} from './browser/cross-site-request.guard';
export {
  expiredOidcBindingCookie,
  OIDC_BINDING_COOKIE,
  OIDC_BINDING_MAX_AGE_SECONDS,
  oidcBindingCookie,
  oidcBindingFromCookies,
} from './browser/oidc-binding-cookie';
export {
  CSP_REPORT_PATH,
  type CspViolation,
  cspViolationFrom,
  newCspNonce,
  PAGE_PERMISSIONS_POLICY,
  pageContentSecurityPolicy,
} from './browser/page-security';
export {
  expiredRefreshCookie,
  REFRESH_COOKIE,
  refreshCookie,
  refreshTokenFromCookies,
} from './browser/refresh-cookie';

export {
  adminSecondFactorRequired,
  BaseServiceConfig,
  loggingOptionsFrom,
  rateLimitOptionsFrom,
  serviceAppOptionsFrom,
} from './config/base-service.config';
export { ConfigError } from './config/config-error';
export { REDACTED } from './config/describe-config';
export { generateSecret, readOrCreateSecretFile } from './config/secret-file';
export { type ConfigSchema, loadConfig } from './config/load-config';
export { CommaSeparated } from './config/comma-separated.decorator';
export { EncryptedInProduction, isHttps } from './config/encrypted-in-production.decorator';
export { PublicOrigin } from './config/public-origin.decorator';
export { Secret } from './config/secret.decorator';
export { ToBoolean } from './config/to-boolean.decorator';
export { ServiceConfigModule } from './config/service-config.module';

export {
  type BackupDescription,
  BackupEncryption,
  BackupIntegrityError,
  IsBackupKey,
  type OpenedBackup,
} from './crypto/backup-encryption';
export { FieldDecryptionError, FieldEncryption, IsFieldEncryptionKeyRing } from './crypto/field-encryption';

export { AppException, AuditedException, RateLimitedException } from './errors/app.exception';
export { DEPENDENCY_OUTAGE } from './errors/dependency-outage';
export { ErrorCode } from './errors/error-code';
export { observeUnhookedAnswers, type UnhookedAnswerObserver } from './http/unhooked-answers';
export { answeredErrorCode, type ErrorReply, sendError, toErrorBody } from './errors/error-response';

export { createServiceApp, trustedHops } from './http/create-service-app';
export { parseAsJson } from './http/json-depth';
export { httpsServerOptions, TLS_CIPHERS, TLS_MIN_VERSIONS, type TlsMinVersion } from './http/tls';
export { internalFetch, internalTlsConnectOptions, type InternalTlsConfig } from './http/internal-tls';
export { INSTANCE_DRAINING_HEADER, INSTANCE_STOPPING_HEADER } from './http/graceful-shutdown';
export { HttpSecurityModule } from './http/http-security.module';
export { runCommand, runService } from './http/run-service';
export { REQUEST_ID_HEADER } from './http/request-id';
export { API_CSP, SECURITY_HEADERS } from './http/security-headers';

export { accountFingerprint } from './logging/account-fingerprint';
export { type AuditDetails, AuditEvent, AuditLog } from './logging/audit-log.service';
export { AUDIT_OBSERVER, type AuditObserver } from './logging/audit-observer';
export { LoggingModule } from './logging/logging.module';
export { scrubSecrets, statementWithoutValues, toLoggedError } from './logging/safe-error';

export {
  generateRecoveryCodes,
  generateTotpSecret,
  matchTotp,
  type MatchTotpOptions,
  recoveryCodeDigest,
  totpUri,
  type TotpUriOptions,
} from './mfa/totp';

export { OwnedRepository } from './ownership/owned-repository';
export { OwnerScope } from './ownership/owner-scope';

export { ConcurrencyLimiter } from './passwords/concurrency-limiter';
export { IsAcceptablePassword } from './passwords/is-acceptable-password.decorator';
export { PasswordHasher } from './passwords/password-hasher';
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblems } from './passwords/password-policy';

export { CredentialThrottle } from './throttling/credential-throttle';
export { SECOND_FACTOR_FAILURES, SecondFactorThrottle } from './throttling/second-factor-throttle';
export { RateLimitModule } from './throttling/rate-limit.module';
export { DEFAULT_RATE_LIMITS } from './throttling/rate-limit.options';
export { MemoryThrottlerStorage } from './throttling/memory-throttler.storage';
export { RedisThrottlerStorage } from './throttling/redis-throttler.storage';
export { SecurityRedis } from './redis/security-redis';
export { CredentialsEndpoint, SkipRateLimit } from './throttling/throttling.constants';

export { JWKS_DEFAULTS, JwksKeyResolver } from './tokens/jwks-key-resolver';
export { IsPublicKeyBundle, parsePublicKeyBundle } from './tokens/public-key-bundle';
export { SigningKey } from './tokens/signing-key';
export { type Jwks, SigningKeyRing } from './tokens/signing-key-ring';
export * from './tokens/token-claims';
export {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS,
  type IssuedToken,
  TokenIssuer,
} from './tokens/token-issuer';

export { CodePointLength } from './validation/code-point-length.decorator';
export { NormalizeEmail, normalizeEmail } from './validation/normalize-email.decorator';
export { type Page, PageQuery } from './validation/page.query';
export { uuidParam } from './validation/uuid-param.pipe';
export { createValidationPipe } from './validation/validation.pipe';
