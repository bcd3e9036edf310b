import { MemoryThrottlerStorage } from './memory-throttler.storage';

const MINUTE = 60_000;

describe('MemoryThrottlerStorage', () => {
  let now: number;
  let storage: MemoryThrottlerStorage;
  const hit = (options: { ttl?: number; limit?: number; block?: number; key?: string; name?: string } = {}) =>
    storage.increment(
      options.key ?? 'client',
      options.ttl ?? MINUTE,
      options.limit ?? 10,
      options.block ?? MINUTE,
      options.name ?? 'general',
    );

  beforeEach(() => {
    now = 1_000_000;
    storage = new MemoryThrottlerStorage(3, () => now);
  });

  it('counts hits in a window and reports the time left in seconds', async () => {
    await hit();
    now += 1_500;
    expect(await hit()).toEqual({ totalHits: 2, timeToExpire: 59, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('blocks past the limit for blockDuration, and says for how long', async () => {
    await hit({ limit: 1, block: 3_000 });
    expect(await hit({ limit: 1, block: 3_000 })).toEqual({
      totalHits: 2,
      timeToExpire: 60,
      isBlocked: true,
      timeToBlockExpire: 3,
    });
    now += 1_000;
    expect(await hit({ limit: 1, block: 3_000 })).toMatchObject({ isBlocked: true, timeToBlockExpire: 2 });
  });

  it('starts counting afresh once the block has expired', async () => {
    await hit({ limit: 1, block: 200 });
    await hit({ limit: 1, block: 200 });
    now += 250;
    expect(await hit({ limit: 1, block: 200 })).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('starts counting afresh once the window has expired', async () => {
    await hit({ ttl: 200, limit: 2 });
    await hit({ ttl: 200, limit: 2 });
    now += 250;
    expect(await hit({ ttl: 200, limit: 2 })).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps the counters of different limits apart', async () => {
    await hit({ limit: 1 });
    await hit({ limit: 1 });
    expect(await hit({ limit: 1, name: 'credentials-ip' })).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('holds one record per client whatever its limit, not one per hit', async () => {
    for (let i = 0; i < 10_000; i++) await hit({ limit: 1_000_000 });
    expect(storage.size).toBe(1);
    expect(await hit({ limit: 1_000_000 })).toMatchObject({ totalHits: 10_001 });
  });

  it('holds at most maxKeys records, dropping the one whose window ends first', async () => {
    for (const key of ['a', 'b', 'c']) {
      await hit({ key, limit: 1 });
      now += 1_000;
    }
    await hit({ key: 'a', limit: 1 }); // a is over its limit and blocked: its record is the newest now
    await hit({ key: 'd', limit: 1 }); // b's window ends first: b goes

    expect(storage.size).toBe(3);
    expect(await hit({ key: 'a', limit: 1 })).toMatchObject({ isBlocked: true });
    expect(await hit({ key: 'b', limit: 1 })).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
