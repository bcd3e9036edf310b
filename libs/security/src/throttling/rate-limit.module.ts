import { type ExecutionContext, type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import {
  getOptionsToken,
  getStorageToken,
  type ThrottlerModuleOptions,
  ThrottlerStorageService,
} from '@nestjs/throttler';
import { accountFingerprint } from '../logging/account-fingerprint';
import { type RateLimitOptions } from './rate-limit.options';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { IS_CREDENTIALS_ENDPOINT, Throttler } from './throttling.constants';

/** Injection token of the counter storage, e.g. for a readiness check of Redis. */
export const RATE_LIMIT_STORAGE = getStorageToken();

/**
 * Rate limiting for a service (OWASP API4: unrestricted resource consumption), opted into once in its
 * root module: `RateLimitModule.forRoot(options)`. The client is `request.ip`, which Fastify derives
 * from the socket and the configured number of trusted proxy hops (see createServiceApp).
 */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitOptions): DynamicModule {
    return {
      module: RateLimitModule,
      global: true,
      providers: [
        {
          provide: RATE_LIMIT_STORAGE,
          useFactory: () =>
            options.redisUrl
              ? RedisThrottlerStorage.connect(options.redisUrl, options.keyPrefix)
              : new ThrottlerStorageService(),
        },
        { provide: getOptionsToken(), useValue: throttlerOptionsOf(options) },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [RATE_LIMIT_STORAGE],
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
    // One counter per client and limit, whatever the route: a client cannot spread a flood over routes.
    // The limit's name is part of the key: Nest's memory storage keeps one block flag per key, so with
    // the tracker alone, tripping the credentials limit would block the client on every route.
    generateKey: (_context, tracker, throttlerName) => `${throttlerName}:${tracker}`,
    throttlers: [
      { name: Throttler.General, ...window(options.general) },
      {
        name: Throttler.CredentialsPerIp,
        ...window(options.credentialsPerIp),
        skipIf: notCredentialsEndpoint,
      },
      {
        // Only where a request names an account (login, register): keyed by that account, from any IP.
        // Routes without one (refresh, password change) are limited per IP only; falling back to the IP
        // here would give everyone behind one NAT a single, tiny per-account budget.
        name: Throttler.CredentialsPerAccount,
        ...window(options.credentialsPerAccount),
        skipIf: (context) => notCredentialsEndpoint(context) || accountNamedIn(context) === undefined,
        getTracker: (_request, context) => `account:${accountFingerprint(accountNamedIn(context)!)}`,
      },
    ],
  };
}

/** The account a request names in its body (`email`), if any. */
function accountNamedIn(context: ExecutionContext): string | undefined {
  const email = context.switchToHttp().getRequest<{ body?: { email?: unknown } }>().body?.email;
  return typeof email === 'string' && email.length > 0 && email.length <= 320 ? email : undefined;
}
