import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_CONNECTION_LIMITS } from '../http/connection-limits';
import { type ServiceAppOptions } from '../http/create-service-app';
import { DEFAULT_SHUTDOWN } from '../http/graceful-shutdown';
import {
  AreClientNames,
  httpsServerOptions,
  IsClientCertificateAuthority,
  IsTlsKeyPair,
  TLS_MIN_VERSIONS,
  type TlsMinVersion,
} from '../http/tls';
import { type LoggingOptions } from '../logging/logging.module';
import { DEFAULT_RATE_LIMITS, type RateLimitOptions } from '../throttling/rate-limit.options';
import { CommaSeparated } from './comma-separated.decorator';
import { EncryptedInProduction } from './encrypted-in-production.decorator';
import { Secret } from './secret.decorator';
import { ToBoolean } from './to-boolean.decorator';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** What every Runnerly service reads from its environment. Each service's schema extends it. */
export class BaseServiceConfig {
  @IsIn(NODE_ENVIRONMENTS)
  NODE_ENV: (typeof NODE_ENVIRONMENTS)[number] = 'development';

  /** Loopback by default: a service is reachable from other hosts only when deployed to be. */
  @IsString()
  @MaxLength(255)
  HOST = '127.0.0.1';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Human-readable logs for a developer's terminal; JSON (one object per line) everywhere else. */
  @IsOptional()
  @IsIn(LOG_FORMATS)
  LOG_FORMAT?: (typeof LOG_FORMATS)[number];

  /**
   * How many reverse proxies in front of this service append to X-Forwarded-For. The client address is
   * taken that many hops from the end, so a client cannot choose its own identity by sending the header.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY_HOPS = 0;

  /** The `iss` of Runnerly tokens: `users` signs with it, every service accepts only it. */
  @IsString()
  @MaxLength(200)
  JWT_ISSUER = 'runnerly-users';

  /**
   * Whether an admin's powers need a session that used a second factor: a login with a code, or a
   * reauthentication with one. Without it, an admin's token counts as a user's. Default: on in production
   * (`adminSecondFactorRequired`), off elsewhere, so that a local stack needs no authenticator app.
   */
  @ToBoolean()
  @IsOptional()
  @IsBoolean()
  ADMIN_SECOND_FACTOR_REQUIRED?: boolean;

  /** Largest accepted request body. Bigger bodies get 413 before any parsing. */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 16 * 1024;

  /** The whole request, headers and body, must arrive within this; then 408 (slow uploads). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS = DEFAULT_CONNECTION_LIMITS.requestTimeoutMs;

  /** The request line and headers must arrive within this; then 408 (slowloris). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_HEADERS_TIMEOUT_MS = DEFAULT_CONNECTION_LIMITS.headersTimeoutMs;

  /** An idle keep-alive connection is closed after this. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs;

  /** A connection with no traffic either way for this long is closed (a client that stops reading). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  HTTP_IDLE_TIMEOUT_MS = DEFAULT_CONNECTION_LIMITS.idleTimeoutMs;

  /** Open connections per client address; more get 429. 0: no limit (behind a load balancer that limits). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000)
  HTTP_MAX_CONNECTIONS_PER_CLIENT = DEFAULT_CONNECTION_LIMITS.maxConnectionsPerClient;

  /**
   * After SIGTERM, readiness fails for this long while requests are still served, so that balancers stop
   * sending before the listener closes. Keep it above the balancer's probe interval times its failure
   * threshold (Kubernetes: the preStop sleep). 0 where nothing balances.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_DRAIN_DELAY_MS = DEFAULT_SHUTDOWN.drainDelayMs;

  /** Then in-flight requests get this long to finish; still running after it, they are cut (exit status 1). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = DEFAULT_SHUTDOWN.timeoutMs;

  /**
   * HTTPS: the certificate (PEM; a chain: the service's first, then the intermediates) and its private key. Both
   * or neither; neither: plain HTTP, for a service behind a proxy that terminates TLS, or on loopback.
   */
  @IsTlsKeyPair() // checked whenever either is set: not @IsOptional, which would skip it when only the key is
  TLS_CERT?: string;

  @Secret({ kind: 'private-key', requiredInProduction: false })
  @IsOptional()
  @IsString()
  TLS_KEY?: string;

  /** The oldest TLS version accepted. TLSv1.2 only for clients that cannot do 1.3, and then with modern suites only. */
  @IsIn(TLS_MIN_VERSIONS)
  TLS_MIN_VERSION: TlsMinVersion = 'TLSv1.3';

  /**
   * Mutual TLS (with TLS_CERT): only clients presenting a certificate that chains to these CA certificates
   * (PEM) complete the handshake. For an internal service, which only other services call.
   */
  @IsClientCertificateAuthority()
  TLS_CLIENT_CA?: string;

  /**
   * With TLS_CLIENT_CA: the DNS names (comma-separated) of the clients that may call, one of which the client
   * certificate must carry. Unset: any certificate of the CA.
   */
  @CommaSeparated()
  @AreClientNames()
  TLS_CLIENT_NAMES?: string[];

  /** Calls to other services over https://: their certificates must chain to these CA certificates (PEM). */
  @IsOptional()
  @Matches(/^-----BEGIN CERTIFICATE-----/, { message: 'INTERNAL_TLS_CA must be PEM certificates' })
  INTERNAL_TLS_CA?: string;

  /** The certificate (PEM) and key this service presents on those calls, when the peer asks (mutual TLS). */
  @IsTlsKeyPair({ cert: 'INTERNAL_TLS_CERT', key: 'INTERNAL_TLS_KEY' })
  INTERNAL_TLS_CERT?: string;

  @Secret({ kind: 'private-key', requiredInProduction: false })
  @IsOptional()
  @IsString()
  INTERNAL_TLS_KEY?: string;

  /**
   * A second listener, plain HTTP on 127.0.0.1, that answers GET /health/live and /health/ready only: for a
   * probe inside the container (Docker's healthcheck) that cannot present a client certificate. Unset: none.
   */
  @Type(() => Number)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65_535)
  HEALTH_PORT?: number;

  /**
   * A separate plain-HTTP listener that serves the Prometheus metrics, GET /metrics only, unauthenticated:
   * never on the API port, so that the gateway cannot route to it and it is never public. Unset: none.
   */
  @Type(() => Number)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65_535)
  METRICS_PORT?: number;

  /** Where the metrics listener binds: loopback by default; in production the internal network only. */
  @IsString()
  @MaxLength(255)
  METRICS_HOST = '127.0.0.1';

  /**
   * Production refuses an internal connection that is not encrypted and verified (DATABASE_URL without
   * sslmode=verify-full, a redis:// REDIS_URL, an http:// URL of another service) unless this is true: for a
   * datastore or service on the same host only, reached over loopback or a unix socket.
   */
  @ToBoolean()
  @IsBoolean()
  ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS = false;

  /**
   * Shared rate-limit counters (several replicas). Unset: counters in memory, per process. `rediss://` is
   * Redis over TLS, the server's certificate checked against REDIS_CA (or the system's CAs) and the URL's host.
   */
  @Secret({ kind: 'url-password', requiredInProduction: false })
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  @EncryptedInProduction((url) => url.protocol === 'rediss:', 'use a rediss:// URL')
  REDIS_URL?: string;

  /** The CA certificates (PEM) that sign the certificate of a rediss:// server: a private CA's, usually. */
  @IsOptional()
  @Matches(/^-----BEGIN CERTIFICATE-----/, { message: 'REDIS_CA must be PEM certificates' })
  REDIS_CA?: string;

  /** Namespace of this service's counters in Redis. Default: runnerly:<service>:throttle: */
  @IsOptional()
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/)
  RATE_LIMIT_KEY_PREFIX?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_GENERAL_LIMIT = DEFAULT_RATE_LIMITS.general.limit;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_GENERAL_WINDOW_SECONDS = DEFAULT_RATE_LIMITS.general.windowMs / 1000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_CREDENTIALS_IP_LIMIT = DEFAULT_RATE_LIMITS.credentialsPerIp.limit;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_CREDENTIALS_IP_WINDOW_SECONDS = DEFAULT_RATE_LIMITS.credentialsPerIp.windowMs / 1000;

  /** Failed password (or client secret) checks one client may make on one account per window; then 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT =
    DEFAULT_RATE_LIMITS.failedCredentials.perAccountAndClient.limit;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_WINDOW_SECONDS =
    DEFAULT_RATE_LIMITS.failedCredentials.perAccountAndClient.windowMs / 1000;

  /** Failed checks on one account from all clients per window; then every attempt on it is slowed down. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT = DEFAULT_RATE_LIMITS.failedCredentials.perAccount.limit;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_WINDOW_SECONDS =
    DEFAULT_RATE_LIMITS.failedCredentials.perAccount.windowMs / 1000;

  /** How long each attempt on an account past its per-account limit waits before it is checked. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30_000)
  RATE_LIMIT_FAILED_CREDENTIALS_SLOWDOWN_MS = DEFAULT_RATE_LIMITS.failedCredentials.perAccount.slowdownMs;

  /** IPv6 clients are counted per network of this many bits (a subscriber usually holds a /64). */
  @Type(() => Number)
  @IsInt()
  @Min(32)
  @Max(128)
  RATE_LIMIT_IPV6_PREFIX_LENGTH = DEFAULT_RATE_LIMITS.ipv6PrefixLength;
}

/** The rate limits a service's config asks for. Counters in Redis are namespaced by service. */
export function rateLimitOptionsFrom(config: BaseServiceConfig, service: string): RateLimitOptions {
  return {
    redisUrl: config.REDIS_URL,
    redisCa: config.REDIS_CA,
    keyPrefix: config.RATE_LIMIT_KEY_PREFIX ?? `runnerly:${service}:throttle:`,
    ipv6PrefixLength: config.RATE_LIMIT_IPV6_PREFIX_LENGTH,
    general: {
      limit: config.RATE_LIMIT_GENERAL_LIMIT,
      windowMs: config.RATE_LIMIT_GENERAL_WINDOW_SECONDS * 1000,
    },
    credentialsPerIp: {
      limit: config.RATE_LIMIT_CREDENTIALS_IP_LIMIT,
      windowMs: config.RATE_LIMIT_CREDENTIALS_IP_WINDOW_SECONDS * 1000,
    },
    failedCredentials: {
      perAccountAndClient: {
        limit: config.RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT,
        windowMs: config.RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_WINDOW_SECONDS * 1000,
      },
      perAccount: {
        limit: config.RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT,
        windowMs: config.RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_WINDOW_SECONDS * 1000,
        slowdownMs: config.RATE_LIMIT_FAILED_CREDENTIALS_SLOWDOWN_MS,
      },
    },
  };
}

/** The HTTP options of createServiceApp, as a service's config asks for them. */
export function serviceAppOptionsFrom(
  config: BaseServiceConfig,
  options: Pick<ServiceAppOptions, 'trustIncomingRequestId'> &
    Partial<Pick<ServiceAppOptions, 'corsOrigins' | 'docsPathPrefix' | 'formBodyRoutes'>>,
): ServiceAppOptions {
  return {
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    corsOrigins: [],
    connectionLimits: {
      requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: config.HTTP_IDLE_TIMEOUT_MS,
      maxConnectionsPerClient: config.HTTP_MAX_CONNECTIONS_PER_CLIENT,
    },
    ipv6PrefixLength: config.RATE_LIMIT_IPV6_PREFIX_LENGTH,
    shutdown: { drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS, timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
    https: httpsServerOptions(config),
    tlsClientNames: config.TLS_CLIENT_NAMES,
    healthPort: config.HEALTH_PORT,
    ...options,
  };
}

/** Logging as a service's config asks for it: pretty in a developer's terminal, JSON everywhere else. */
export function loggingOptionsFrom(config: BaseServiceConfig, service: string): LoggingOptions {
  const pretty = config.LOG_FORMAT
    ? config.LOG_FORMAT === 'pretty'
    : process.stdout.isTTY && config.NODE_ENV !== 'production';
  return { service, level: config.LOG_LEVEL, format: pretty ? 'pretty' : 'json' };
}

/** Whether admin powers need a second factor: as configured, else in production only. */
export function adminSecondFactorRequired(config: BaseServiceConfig): boolean {
  return config.ADMIN_SECOND_FACTOR_REQUIRED ?? config.NODE_ENV === 'production';
}
