import { type Redis } from 'ioredis';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/** A counter's state: failures in its current window, and how long until that window ends. */
export interface FailureCount {
  failures: number;
  resetsInMs: number;
}

/**
 * Fixed-window failure counters, keyed by a caller-chosen string. `reserve` is atomic (check and count
 * in one step), so concurrent attempts can never get past a limit together.
 */
export interface FailureCounters {
  /** The current count of each key (0 when it has none). */
  read(keys: readonly string[]): Promise<FailureCount[]>;
  /** Counts one failure ahead of the check, unless the key already holds `limit`: then nothing changes. */
  reserve(key: string, limit: number, windowMs: number): Promise<{ reserved: boolean } & FailureCount>;
  /** Counts one failure; a key's window starts with its first failure. */
  add(key: string, windowMs: number): Promise<FailureCount>;
  /** Gives back a reservation (the check did not happen). */
  release(key: string): Promise<void>;
  clear(key: string): Promise<void>;
}

/** Injection token of the service's FailureCounters. */
export const FAILURE_COUNTERS = Symbol('runnerly:failure-counters');

/** The most keys the in-memory counters hold: an attacker spraying keys costs bounded memory (oldest go first). */
export const MAX_MEMORY_COUNTERS = 100_000;

/** Counters of one process. Expired keys are dropped when touched, and the oldest once the map is full. */
export class MemoryFailureCounters implements FailureCounters {
  private readonly counters = new Map<string, { failures: number; endsAt: number }>();

  constructor(
    private readonly maxKeys = MAX_MEMORY_COUNTERS,
    private readonly now: () => number = Date.now,
  ) {}

  async read(keys: readonly string[]): Promise<FailureCount[]> {
    return keys.map((key) => this.countOf(key));
  }

  async reserve(key: string, limit: number, windowMs: number): Promise<{ reserved: boolean } & FailureCount> {
    const current = this.countOf(key);
    if (current.failures >= limit) return { reserved: false, ...current };
    return { reserved: true, ...(await this.add(key, windowMs)) };
  }

  async add(key: string, windowMs: number): Promise<FailureCount> {
    const live = this.live(key);
    const counter = live ?? { failures: 0, endsAt: this.now() + windowMs };
    counter.failures++;
    if (!live) {
      if (this.counters.size >= this.maxKeys) this.counters.delete(this.counters.keys().next().value!);
      this.counters.set(key, counter);
    }
    return { failures: counter.failures, resetsInMs: counter.endsAt - this.now() };
  }

  async release(key: string): Promise<void> {
    const live = this.live(key);
    if (live && --live.failures <= 0) this.counters.delete(key);
  }

  async clear(key: string): Promise<void> {
    this.counters.delete(key);
  }

  get size(): number {
    return this.counters.size;
  }

  private countOf(key: string): FailureCount {
    const live = this.live(key);
    return live
      ? { failures: live.failures, resetsInMs: live.endsAt - this.now() }
      : { failures: 0, resetsInMs: 0 };
  }

  private live(key: string): { failures: number; endsAt: number } | undefined {
    const counter = this.counters.get(key);
    if (counter && counter.endsAt <= this.now()) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }
}

/** KEYS[1] counter; ARGV limit, window ms. Returns { reserved 0|1, failures, ms left }. */
const RESERVE_SCRIPT = `
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures >= tonumber(ARGV[1]) then
  return { 0, failures, math.max(redis.call('PTTL', KEYS[1]), 0) }
end
failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return { 1, failures, math.max(redis.call('PTTL', KEYS[1]), 0) }
`;

/** KEYS[1] counter; ARGV window ms. Returns { failures, ms left }. */
const ADD_SCRIPT = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { failures, math.max(redis.call('PTTL', KEYS[1]), 0) }
`;

/** KEYS[1] counter. Decrements a live counter, never below zero and never creating one. */
const RELEASE_SCRIPT = `
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures <= 1 then redis.call('DEL', KEYS[1]) else redis.call('DECR', KEYS[1]) end
return 0
`;

type CountersRedis = Redis & {
  failureReserve(key: string, limit: number, windowMs: number): Promise<number[]>;
  failureAdd(key: string, windowMs: number): Promise<number[]>;
  failureRelease(key: string): Promise<number>;
};

/**
 * The same counters in Redis, shared by every replica; each operation is one script, so atomic. When
 * Redis cannot answer, checks fail closed with 503: an outage must not switch guessing protection off.
 */
export class RedisFailureCounters implements FailureCounters {
  private readonly redis: CountersRedis;

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
  ) {
    redis.defineCommand('failureReserve', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
    redis.defineCommand('failureAdd', { numberOfKeys: 1, lua: ADD_SCRIPT });
    redis.defineCommand('failureRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    this.redis = redis as CountersRedis;
  }

  read(keys: readonly string[]): Promise<FailureCount[]> {
    return this.failClosed(async () => {
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.get(this.keyOf(key)).pttl(this.keyOf(key));
      const results = (await pipeline.exec()) ?? [];
      if (results.some(([error]) => error)) throw new Error('Redis pipeline failed');
      return keys.map((_key, index) => ({
        failures: Number(results[2 * index]![1] ?? 0),
        resetsInMs: Math.max(Number(results[2 * index + 1]![1]), 0),
      }));
    });
  }

  reserve(key: string, limit: number, windowMs: number): Promise<{ reserved: boolean } & FailureCount> {
    return this.failClosed(async () => {
      const [reserved, failures, resetsInMs] = await this.redis.failureReserve(
        this.keyOf(key),
        limit,
        windowMs,
      );
      return { reserved: reserved === 1, failures: failures!, resetsInMs: resetsInMs! };
    });
  }

  add(key: string, windowMs: number): Promise<FailureCount> {
    return this.failClosed(async () => {
      const [failures, resetsInMs] = await this.redis.failureAdd(this.keyOf(key), windowMs);
      return { failures: failures!, resetsInMs: resetsInMs! };
    });
  }

  async release(key: string): Promise<void> {
    await this.failClosed(() => this.redis.failureRelease(this.keyOf(key)));
  }

  async clear(key: string): Promise<void> {
    await this.failClosed(() => this.redis.del(this.keyOf(key)));
  }

  private keyOf(key: string): string {
    return `${this.keyPrefix}failures:${key}`;
  }

  private async failClosed<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch {
      throw new AppException(ErrorCode.ServiceBusy, 'Rate limiting is unavailable. Retry later.');
    }
  }
}
