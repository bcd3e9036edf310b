import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * One fixed-window counter per key, shared by every replica through Redis. The whole decision (count the
 * hit, start the window, block past the limit) runs as one Lua script, so concurrent requests on several
 * replicas can never let more than `limit` through in a window. ioredis sends it with EVALSHA and loads
 * it once when Redis does not know it yet.
 *
 * KEYS[1] counter, KEYS[2] block marker; ARGV ttl ms, limit, block ms.
 * Returns { hits, ms until the window ends, blocked 0|1, ms until the block ends }.
 */
const INCREMENT_SCRIPT = `
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return { hits, math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockedFor }
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return { hits, windowLeft, 1, tonumber(ARGV[3]) }
end
return { hits, windowLeft, 0, 0 }
`;

type ThrottleRedis = Redis & {
  throttleIncrement(
    hitsKey: string,
    blockKey: string,
    ttlMs: number,
    limit: number,
    blockMs: number,
  ): Promise<number[]>;
};

export const THROTTLE_KEY_PREFIX = 'runnerly:throttle:';

/**
 * Rate-limit counters in Redis. When Redis cannot answer, requests fail closed with 503 rather than
 * going through unlimited: an outage of the limiter must not switch brute-force protection off.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly redis: ThrottleRedis;

  private readonly logger = new Logger('RateLimitStorage');
  private lastErrorLoggedAt = 0;

  constructor(
    redis: Redis,
    private readonly keyPrefix = THROTTLE_KEY_PREFIX,
  ) {
    redis.defineCommand('throttleIncrement', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
    // Without a listener ioredis prints every failed reconnection to the console; once a minute in the log is enough.
    redis.on('error', (error: Error) => {
      if (Date.now() - this.lastErrorLoggedAt < 60_000) return;
      this.lastErrorLoggedAt = Date.now();
      this.logger.warn(
        { error: error.message },
        'Redis for rate limiting is unreachable; limited routes answer 503',
      );
    });
    this.redis = redis as ThrottleRedis;
  }

  static connect(url: string, keyPrefix = THROTTLE_KEY_PREFIX): RedisThrottlerStorage {
    return new RedisThrottlerStorage(
      new Redis(url, {
        connectTimeout: 2_000,
        commandTimeout: 1_000,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
      }),
      keyPrefix,
    );
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    // The braces are a Redis Cluster hash tag: both keys of one counter live in the same slot.
    const base = `${this.keyPrefix}{${throttlerName}:${key}}`;
    let result: number[];
    try {
      result = await this.redis.throttleIncrement(`${base}:hits`, `${base}:block`, ttl, limit, blockDuration);
    } catch {
      throw new AppException(ErrorCode.ServiceBusy, 'Rate limiting is unavailable. Retry later.');
    }
    const [hits, windowLeftMs, blocked, blockLeftMs] = result;
    return {
      totalHits: hits!,
      timeToExpire: Math.ceil(windowLeftMs! / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockLeftMs! / 1000),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  async isReachable(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }
}
