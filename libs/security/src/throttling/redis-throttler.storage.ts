import { type ThrottlerStorage } from '@nestjs/throttler';
import { type Redis } from 'ioredis';
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
 * going through unlimited: an outage of the limiter must not switch brute-force protection off. The
 * connection is the service's SecurityRedis, which owns its lifecycle.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: ThrottleRedis;

  constructor(
    redis: Redis,
    private readonly keyPrefix = THROTTLE_KEY_PREFIX,
  ) {
    redis.defineCommand('throttleIncrement', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
    this.redis = redis as ThrottleRedis;
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
}
