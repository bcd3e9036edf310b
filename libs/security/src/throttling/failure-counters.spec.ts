import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeWithRedis } from '../testing';
import { SecurityRedis } from '../redis/security-redis';
import { type FailureCounters, MemoryFailureCounters, RedisFailureCounters } from './failure-counters';

const MINUTE = 60_000;

/** The contract both storages keep. */
function failureCounterSpecs(counters: () => FailureCounters): void {
  let key: string;
  beforeEach(() => {
    key = `spec-${randomUUID()}`;
  });

  it('counts failures in a window that starts with the first one', async () => {
    await counters().add(key, MINUTE);
    const second = await counters().add(key, MINUTE);
    expect(second.failures).toBe(2);
    expect(second.resetsInMs).toBeGreaterThan(MINUTE - 5_000);
    expect(await counters().read([key, 'never-counted'])).toEqual([
      { failures: 2, resetsInMs: expect.any(Number) },
      { failures: 0, resetsInMs: 0 },
    ]);
  });

  it('reserves up to the limit and no further, without counting the refusals', async () => {
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push((await counters().reserve(key, 3, MINUTE)).reserved);
    expect(outcomes).toEqual([true, true, true, false]);
    expect((await counters().read([key]))[0]!.failures).toBe(3);
  });

  it('lets exactly `limit` of many concurrent reservations through', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => counters().reserve(key, 5, MINUTE)));
    expect(outcomes.filter((outcome) => outcome.reserved)).toHaveLength(5);
  });

  it('gives a reservation back, never going below zero', async () => {
    await counters().reserve(key, 3, MINUTE);
    await counters().release(key);
    await counters().release(key);
    expect((await counters().read([key]))[0]!.failures).toBe(0);
  });

  it('forgets a key when cleared', async () => {
    await counters().add(key, MINUTE);
    await counters().clear(key);
    expect((await counters().read([key]))[0]!.failures).toBe(0);
  });

  it('starts again once the window has passed', async () => {
    await counters().add(key, 50);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await counters().add(key, MINUTE)).failures).toBe(1);
  });
}

describe('MemoryFailureCounters', () => {
  const counters = new MemoryFailureCounters();
  failureCounterSpecs(() => counters);

  it('holds at most its maximum number of keys, dropping the oldest (bounded memory under a key spray)', async () => {
    const small = new MemoryFailureCounters(3);
    for (const key of ['a', 'b', 'c', 'd']) await small.add(key, MINUTE);
    expect(small.size).toBe(3);
    expect(await small.read(['a', 'd'])).toEqual([
      { failures: 0, resetsInMs: 0 },
      { failures: 1, resetsInMs: expect.any(Number) },
    ]);
  });
});

describeWithRedis('RedisFailureCounters', (redisUrl) => {
  let redis: Redis;
  let counters: RedisFailureCounters;
  const prefix = `runnerly:spec-${randomUUID()}:`;
  beforeAll(() => {
    redis = new Redis(redisUrl());
    counters = new RedisFailureCounters(redis, prefix);
  });
  afterAll(() => redis.quit());

  failureCounterSpecs(() => counters);

  it('stores every counter under the prefix, with an expiry', async () => {
    await counters.add('expiring', MINUTE);
    const [stored] = await redis.keys(`${prefix}failures:expiring`);
    expect(await redis.pttl(stored!)).toBeGreaterThan(0);
  });
});

describe('RedisFailureCounters when Redis is unreachable', () => {
  const redis = SecurityRedis.connect('redis://127.0.0.1:1');
  afterAll(() => redis.onApplicationShutdown());

  it.each(['read', 'reserve', 'add', 'release', 'clear'] as const)(
    'fails closed with 503 SERVICE.BUSY on %s',
    async (operation) => {
      const counters = new RedisFailureCounters(redis.client, 'unreachable:');
      const attempt = {
        read: () => counters.read(['k']),
        reserve: () => counters.reserve('k', 1, MINUTE),
        add: () => counters.add('k', MINUTE),
        release: () => counters.release('k'),
        clear: () => counters.clear('k'),
      }[operation];
      await expect(attempt()).rejects.toMatchObject({ code: 'SERVICE.BUSY' });
    },
  );
});
