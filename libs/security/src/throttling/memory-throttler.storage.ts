import { type ThrottlerStorage } from '@nestjs/throttler';
import { MAX_MEMORY_COUNTERS } from './failure-counters';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Counter {
  hits: number;
  windowEndsAt: number;
  blockedUntil: number;
}

/**
 * Rate-limit counters in this process, for a service without REDIS_URL: the same fixed-window rule as
 * RedisThrottlerStorage (count the hit, start the window, block past the limit), so a limit means the same
 * with or without Redis. Each client costs one small record, whatever its limit: Nest's own memory storage
 * keeps a timestamp per hit and scans them on every request, so its cost in CPU and memory grows with the
 * limit, and a client allowed many requests makes every one of them slower. The records are bounded
 * (oldest window first), so spraying source addresses costs bounded memory.
 */
export class MemoryThrottlerStorage implements ThrottlerStorage {
  /** In order of window start: the first record is the one whose window ends first. */
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly maxKeys = MAX_MEMORY_COUNTERS,
    private readonly now: () => number = Date.now,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const id = `${throttlerName}:${key}`;
    const now = this.now();
    let counter = this.counters.get(id);
    if (counter && counter.blockedUntil > now) {
      return record(counter, now, true);
    }
    if (!counter || counter.windowEndsAt <= now) {
      counter = { hits: 0, windowEndsAt: now + ttl, blockedUntil: 0 };
      this.store(id, counter);
    }
    counter.hits++;
    if (counter.hits <= limit) return record(counter, now, false);

    // Past the limit: blocked for blockDuration, and counted afresh after it (the Redis script's rule).
    const blocked = record({ ...counter, blockedUntil: now + blockDuration }, now, true);
    this.store(id, { hits: 0, windowEndsAt: now, blockedUntil: now + blockDuration });
    return blocked;
  }

  /** How many clients' records are held (for the memory bound). */
  get size(): number {
    return this.counters.size;
  }

  private store(id: string, counter: Counter): void {
    this.counters.delete(id);
    if (this.counters.size >= this.maxKeys) this.counters.delete(this.counters.keys().next().value!);
    this.counters.set(id, counter);
  }
}

function record(counter: Counter, now: number, isBlocked: boolean): ThrottlerStorageRecord {
  return {
    totalHits: counter.hits,
    timeToExpire: Math.ceil(Math.max(counter.windowEndsAt - now, 0) / 1000),
    isBlocked,
    timeToBlockExpire: isBlocked ? Math.ceil((counter.blockedUntil - now) / 1000) : 0,
  };
}
