import { type ExecutionContext, type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import {
  getOptionsToken,
  getStorageToken,
  normalizeIp,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import { type FastifyRequest } from 'fastify';
import { SecurityRedis } from '../redis/security-redis';
import { CredentialThrottle, RATE_LIMIT_OPTIONS } from './credential-throttle';
import { FAILURE_COUNTERS, MemoryFailureCounters, RedisFailureCounters } from './failure-counters';
import { SecondFactorThrottle } from './second-factor-throttle';
import { type RateLimitOptions } from './rate-limit.options';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage, THROTTLE_KEY_PREFIX } from './redis-throttler.storage';
import { IS_CREDENTIALS_ENDPOINT, Throttler } from './throttling.constants';

/** Injection token of the counter storage, e.g. for a readiness check of Redis. */
export const RATE_LIMIT_STORAGE = getStorageToken();

/**
 * Rate limiting for a service (OWASP API4: unrestricted resource consumption), opted into once in its
 * root module: `RateLimitModule.forRoot(options)`. Request limits run as a global guard, before
 * authentication; `CredentialThrottle` is for the services that check passwords or client secrets, and
 * `SecondFactorThrottle` for those that check one-time codes. The
 * client is `request.ip`, which Fastify derives from the socket and the configured number of trusted
 * proxy hops (see createServiceApp), and IPv6 clients count by network (`ipv6PrefixLength`).
 * With `redisUrl`, every counter is shared by the service's replicas; otherwise it is per process.
 */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitOptions): DynamicModule {
    const keyPrefix = options.keyPrefix ?? THROTTLE_KEY_PREFIX;
    return {
      module: RateLimitModule,
      global: true,
      providers: [
        { provide: RATE_LIMIT_OPTIONS, useValue: options },
        {
          provide: SecurityRedis,
          useFactory: () =>
            options.redisUrl ? SecurityRedis.connect(options.redisUrl, { ca: options.redisCa }) : null,
        },
        {
          provide: RATE_LIMIT_STORAGE,
          inject: [SecurityRedis],
          useFactory: (redis: SecurityRedis | null) =>
            redis ? new RedisThrottlerStorage(redis.client, keyPrefix) : new MemoryThrottlerStorage(),
        },
        {
          provide: FAILURE_COUNTERS,
          inject: [SecurityRedis],
          useFactory: (redis: SecurityRedis | null) =>
            redis ? new RedisFailureCounters(redis.client, keyPrefix) : new MemoryFailureCounters(),
        },
        CredentialThrottle,
        SecondFactorThrottle,
        { provide: getOptionsToken(), useValue: throttlerOptionsOf(options) },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [RATE_LIMIT_STORAGE, SecurityRedis, CredentialThrottle, SecondFactorThrottle],
    };
  }
}

function throttlerOptionsOf(options: RateLimitOptions): ThrottlerModuleOptions {
  const reflector = new Reflector();
  const notCredentialsEndpoint = (context: ExecutionContext) =>
    !reflector.getAllAndOverride<boolean>(IS_CREDENTIALS_ENDPOINT, [
      context.getHandler(),
      context.getClass(),
    ]);
  const window = ({ limit, windowMs }: { limit: number; windowMs: number }) => ({
    limit,
    ttl: windowMs,
    blockDuration: windowMs,
  });

  return {
    getTracker: (request: Record<string, unknown>) =>
      normalizeIp((request as unknown as FastifyRequest).ip, options.ipv6PrefixLength),
    // One counter per client and limit, whatever the route: a client cannot spread a flood over routes.
    // The limit's name is part of the key, so that tripping the credentials limit blocks a client on the
    // credential routes only, whichever storage holds the counters.
    generateKey: (_context, tracker, throttlerName) => `${throttlerName}:${tracker}`,
    throttlers: [
      { name: Throttler.General, ...window(options.general) },
      {
        name: Throttler.CredentialsPerIp,
        ...window(options.credentialsPerIp),
        skipIf: notCredentialsEndpoint,
      },
    ],
  };
}
