import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemoryThrottlerStorage, RedisThrottlerStorage } from '@runnerly/security';
import { Redis } from 'ioredis';

/** The rate limiter's memory after `clients` distinct clients have each made one request. */
export interface LimiterMemory {
  clients: number;
  /** Records the storage holds then (the in-memory one keeps at most 100,000). */
  records: number;
  bytes: number;
}

const WINDOW_MS = 60_000;

/** A key shaped like the guard's: a SHA-256 of route, throttler and the client's address. */
function clientKey(index: number): string {
  return createHash('sha256')
    .update(`RunsController-list-general-10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`)
    .digest('hex');
}

/**
 * The heap the in-memory storage holds after each of `clients` distinct clients made one request, measured
 * in this process between full garbage collections.
 */
export async function memoryLimiterHeap(clients: number): Promise<LimiterMemory> {
  const collect = fullGarbageCollector();
  const storage = new MemoryThrottlerStorage();
  collect();
  const before = process.memoryUsage().heapUsed;
  for (let index = 0; index < clients; index++)
    await storage.increment(clientKey(index), WINDOW_MS, 300, WINDOW_MS, 'general');
  collect();
  return { clients, records: storage.size, bytes: process.memoryUsage().heapUsed - before };
}

/** The memory Redis reports using for the same counters (INFO memory), under a prefix of their own. */
export async function redisLimiterMemory(redisUrl: string, clients: number): Promise<LimiterMemory> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  const prefix = `runnerly:bench:${Date.now()}:`;
  const storage = new RedisThrottlerStorage(redis, prefix);
  try {
    const before = await usedMemory(redis);
    for (let start = 0; start < clients; start += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, clients - start) }, (_, offset) => start + offset);
      await Promise.all(
        batch.map((index) => storage.increment(clientKey(index), WINDOW_MS, 300, WINDOW_MS, 'general')),
      );
    }
    const records = (await redis.keys(`${prefix}*`)).length;
    return { clients, records, bytes: (await usedMemory(redis)) - before };
  } finally {
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 10_000);
      if (keys.length > 0) await redis.del(...keys);
      if ((cursor = next) === '0') break;
    }
    redis.disconnect();
  }
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

/** `global.gc` without starting node with --expose-gc. */
function fullGarbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
