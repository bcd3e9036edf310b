import { DEFAULT_CONNECTION_LIMITS } from '../http/connection-limits';
import { DEFAULT_SHUTDOWN } from '../http/graceful-shutdown';
import { DEFAULT_RATE_LIMITS } from '../throttling/rate-limit.options';
import {
  BaseServiceConfig,
  loggingOptionsFrom,
  rateLimitOptionsFrom,
  serviceAppOptionsFrom,
} from './base-service.config';
import { loadConfig } from './load-config';

describe('BaseServiceConfig', () => {
  describe('rateLimitOptionsFrom', () => {
    it('gives the default rate limits when nothing is configured', () => {
      expect(rateLimitOptionsFrom(loadConfig(BaseServiceConfig, {}), 'test')).toEqual({
        redisUrl: undefined,
        keyPrefix: 'runnerly:test:throttle:',
        ...DEFAULT_RATE_LIMITS,
      });
    });

    it('turns configured windows in seconds into milliseconds', () => {
      const config = loadConfig(BaseServiceConfig, {
        REDIS_URL: 'redis://cache.internal:6379',
        RATE_LIMIT_GENERAL_LIMIT: '50',
        RATE_LIMIT_GENERAL_WINDOW_SECONDS: '10',
        RATE_LIMIT_CREDENTIALS_IP_LIMIT: '5',
        RATE_LIMIT_CREDENTIALS_IP_WINDOW_SECONDS: '30',
        RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT: '3',
        RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_WINDOW_SECONDS: '600',
        RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT: '40',
        RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_WINDOW_SECONDS: '7200',
        RATE_LIMIT_FAILED_CREDENTIALS_SLOWDOWN_MS: '500',
        RATE_LIMIT_IPV6_PREFIX_LENGTH: '56',
      });
      expect(rateLimitOptionsFrom(config, 'test')).toEqual({
        redisUrl: 'redis://cache.internal:6379',
        keyPrefix: 'runnerly:test:throttle:',
        ipv6PrefixLength: 56,
        general: { limit: 50, windowMs: 10_000 },
        credentialsPerIp: { limit: 5, windowMs: 30_000 },
        failedCredentials: {
          perAccountAndClient: { limit: 3, windowMs: 600_000 },
          perAccount: { limit: 40, windowMs: 7_200_000, slowdownMs: 500 },
        },
      });
    });

    it('refuses a zero limit, which would block everyone', () => {
      expect(() => loadConfig(BaseServiceConfig, { RATE_LIMIT_CREDENTIALS_IP_LIMIT: '0' })).toThrow(
        /RATE_LIMIT_CREDENTIALS_IP_LIMIT: /,
      );
    });
  });

  describe('serviceAppOptionsFrom', () => {
    it('takes the body limit and proxy hops from the config, with no CORS origin unless given', () => {
      const config = loadConfig(BaseServiceConfig, { BODY_LIMIT_BYTES: '4096', TRUST_PROXY_HOPS: '1' });
      expect(serviceAppOptionsFrom(config, { trustIncomingRequestId: true })).toEqual({
        bodyLimitBytes: 4096,
        trustProxyHops: 1,
        trustIncomingRequestId: true,
        corsOrigins: [],
        connectionLimits: DEFAULT_CONNECTION_LIMITS,
        ipv6PrefixLength: 64,
        shutdown: DEFAULT_SHUTDOWN,
      });
    });

    it('takes the shutdown drain delay and timeout from the config (a drain delay of 0 is allowed)', () => {
      const config = loadConfig(BaseServiceConfig, {
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '2500',
      });
      expect(serviceAppOptionsFrom(config, { trustIncomingRequestId: true }).shutdown).toEqual({
        drainDelayMs: 0,
        timeoutMs: 2_500,
      });
    });

    it.each([
      ['SHUTDOWN_DRAIN_DELAY_MS', '-1'],
      ['SHUTDOWN_DRAIN_DELAY_MS', '120001'],
      ['SHUTDOWN_DRAIN_DELAY_MS', 'soon'],
      ['SHUTDOWN_TIMEOUT_MS', '0'],
      ['SHUTDOWN_TIMEOUT_MS', '600001'],
    ])('refuses to start with %s=%s', (name, value) => {
      expect(() => loadConfig(BaseServiceConfig, { [name]: value })).toThrow(`${name}: `);
    });

    it('takes the connection limits from the config', () => {
      const config = loadConfig(BaseServiceConfig, {
        HTTP_REQUEST_TIMEOUT_MS: '20000',
        HTTP_HEADERS_TIMEOUT_MS: '5000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000',
        HTTP_IDLE_TIMEOUT_MS: '30000',
        HTTP_MAX_CONNECTIONS_PER_CLIENT: '50',
      });
      expect(serviceAppOptionsFrom(config, { trustIncomingRequestId: true }).connectionLimits).toEqual({
        requestTimeoutMs: 20_000,
        headersTimeoutMs: 5_000,
        keepAliveTimeoutMs: 4_000,
        idleTimeoutMs: 30_000,
        maxConnectionsPerClient: 50,
      });
    });

    it("passes the service's CORS origins and docs prefix through", () => {
      const options = {
        trustIncomingRequestId: false,
        corsOrigins: ['https://app.runnerly.test'],
        docsPathPrefix: '/docs',
      };
      expect(serviceAppOptionsFrom(loadConfig(BaseServiceConfig, {}), options)).toMatchObject(options);
    });
  });

  describe('the metrics listener', () => {
    it('is off unless METRICS_PORT is set, and binds to loopback by default', () => {
      const config = loadConfig(BaseServiceConfig, {});
      expect(config.METRICS_PORT).toBeUndefined();
      expect(config.METRICS_HOST).toBe('127.0.0.1');
    });

    it('takes METRICS_PORT and METRICS_HOST from the environment', () => {
      const config = loadConfig(BaseServiceConfig, { METRICS_PORT: '9464', METRICS_HOST: '10.0.3.7' });
      expect(config).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: '10.0.3.7' });
    });

    it.each([['0'], ['65536'], ['-1'], ['9464.5'], ['metrics']])(
      'refuses to start with METRICS_PORT=%s',
      (value) => {
        expect(() => loadConfig(BaseServiceConfig, { METRICS_PORT: value })).toThrow('METRICS_PORT: ');
      },
    );
  });

  it('uses a configured Redis key prefix instead of the per-service default', () => {
    expect(
      rateLimitOptionsFrom(
        loadConfig(BaseServiceConfig, { RATE_LIMIT_KEY_PREFIX: 'stack-b:users:' }),
        'users',
      ).keyPrefix,
    ).toBe('stack-b:users:');
  });

  describe('loggingOptionsFrom', () => {
    const isTTY = process.stdout.isTTY;
    afterEach(() => {
      process.stdout.isTTY = isTTY;
    });

    it.each([
      ['an explicit LOG_FORMAT=pretty', { LOG_FORMAT: 'pretty', NODE_ENV: 'production' }, false, 'pretty'],
      ['an explicit LOG_FORMAT=json', { LOG_FORMAT: 'json' }, true, 'json'],
      ['production, even on a terminal', { NODE_ENV: 'production' }, true, 'json'],
      ['development on a terminal', {}, true, 'pretty'],
      ['development without a terminal', {}, false, 'json'],
    ])('logs as configured for %s', (_case, env, terminal, format) => {
      process.stdout.isTTY = terminal;
      expect(loggingOptionsFrom(loadConfig(BaseServiceConfig, env), 'users')).toEqual({
        service: 'users',
        level: 'info',
        format,
      });
    });
  });
});
