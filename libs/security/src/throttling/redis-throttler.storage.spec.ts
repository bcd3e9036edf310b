import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { Public } from '../auth/auth.decorators';
import { AppException } from '../errors/app.exception';
import { createTestApp, describeWithRedis } from '../testing';
import { RATE_LIMIT_STORAGE, RateLimitModule } from './rate-limit.module';
import { SecurityRedis } from '../redis/security-redis';
import { DEFAULT_RATE_LIMITS } from './rate-limit.options';
import { RedisThrottlerStorage, THROTTLE_KEY_PREFIX } from './redis-throttler.storage';

const MINUTE = 60_000;

describe('RedisThrottlerStorage when Redis is unreachable', () => {
  let redis: SecurityRedis;
  let storage: RedisThrottlerStorage;

  beforeAll(() => {
    redis = SecurityRedis.connect('redis://127.0.0.1:1');
    storage = new RedisThrottlerStorage(redis.client);
  });
  afterAll(() => redis.onApplicationShutdown());

  it('fails closed, quickly, with 503 SERVICE.BUSY rather than letting requests through unlimited', async () => {
    const started = Date.now();
    const error = await storage
      .increment('client', MINUTE, 10, MINUTE, 'general')
      .catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(AppException);
    expect(error).toMatchObject({ code: 'SERVICE.BUSY' });
    expect((error as AppException).getStatus()).toBe(503);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describeWithRedis('RedisThrottlerStorage', (redisUrl) => {
  /** Two replicas of a service, each with its own connection to the shared Redis. */
  let replicas: [RedisThrottlerStorage, RedisThrottlerStorage];
  let admin: Redis;
  let key: string;

  const hit = (options: { ttl?: number; limit?: number; block?: number; replica?: 0 | 1 } = {}) =>
    replicas[options.replica ?? 0].increment(
      key,
      options.ttl ?? MINUTE,
      options.limit ?? 10,
      options.block ?? MINUTE,
      'general',
    );

  let connections: Redis[];

  beforeAll(() => {
    connections = [new Redis(redisUrl()), new Redis(redisUrl())];
    replicas = [new RedisThrottlerStorage(connections[0]!), new RedisThrottlerStorage(connections[1]!)];
    admin = new Redis(redisUrl());
  });
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.quit()));
    await admin.quit();
  });
  beforeEach(() => {
    key = `client-${randomUUID()}`;
  });

  it('counts hits in a window and reports the time left in seconds', async () => {
    await hit();
    expect(await hit({ replica: 1 })).toEqual({
      totalHits: 2,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('lets exactly `limit` of many concurrent hits through two replicas (the decision is atomic)', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => hit({ limit: 50, replica: (i % 2) as 0 | 1 })),
    );
    expect(results.filter((result) => !result.isBlocked)).toHaveLength(50);
  });

  it('blocks past the limit for blockDuration, and says for how long', async () => {
    await hit({ limit: 1, block: 3_000 });
    expect(await hit({ limit: 1, block: 3_000 })).toMatchObject({ isBlocked: true, timeToBlockExpire: 3 });
    expect(await hit({ limit: 1, block: 3_000, replica: 1 })).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 3,
    });
  });

  it('starts counting afresh once the block has expired', async () => {
    await hit({ limit: 1, block: 200 });
    await hit({ limit: 1, block: 200 });
    await sleep(250);
    expect(await hit({ limit: 1, block: 200 })).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('starts counting afresh once the window has expired', async () => {
    await hit({ ttl: 200, limit: 2 });
    await hit({ ttl: 200, limit: 2 });
    await sleep(250);
    expect(await hit({ ttl: 200, limit: 2 })).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps working after Redis forgot its scripts (SCRIPT FLUSH, a restart, a failover)', async () => {
    await hit();
    await admin.script('FLUSH');
    expect(await hit()).toMatchObject({ totalHits: 2 });
  });

  it('never leaves a counter without an expiry, so Redis cannot fill up with stale keys', async () => {
    await hit();
    await hit({ limit: 1 });
    const keys = await admin.keys(`${THROTTLE_KEY_PREFIX}{general:${key}}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const stored of keys) expect(await admin.pttl(stored)).toBeGreaterThan(0);
  });

  it('keeps the counters of different limits apart', async () => {
    await hit({ limit: 1 });
    await hit({ limit: 1 });
    expect(await replicas[0].increment(key, MINUTE, 1, MINUTE, 'credentials-ip')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });
});

@Public()
@Controller()
class PingRoutes {
  @Get('ping')
  ping(): { pong: true } {
    return { pong: true };
  }
}

describeWithRedis('RateLimitModule with REDIS_URL set', (redisUrl) => {
  /** Unique per run, as counters outlive the test process in Redis. */
  const keyPrefix = `runnerly:spec-${randomUUID()}:throttle:`;
  let replicas: NestFastifyApplication[];
  const ping = (replica: NestFastifyApplication, client: string) =>
    replica.inject({ method: 'GET', url: '/ping', remoteAddress: client });

  beforeAll(async () => {
    const limit = { limit: 3, windowMs: MINUTE };
    const start = () =>
      createTestApp({
        controllers: [PingRoutes],
        imports: [
          RateLimitModule.forRoot({
            ...DEFAULT_RATE_LIMITS,
            redisUrl: redisUrl(),
            keyPrefix,
            general: limit,
            credentialsPerIp: limit,
          }),
        ],
      });
    replicas = [await start(), await start()];
  });
  afterAll(() => Promise.all(replicas.map((replica) => replica.close())));

  it("stores the counters in Redis, under the service's own key prefix", async () => {
    expect(replicas[0]!.get(RATE_LIMIT_STORAGE)).toBeInstanceOf(RedisThrottlerStorage);
    await ping(replicas[0]!, '198.18.0.1');
    const redis = new Redis(redisUrl());
    expect(await redis.keys(`${keyPrefix}{general:*`)).toEqual([expect.stringContaining('198.18.0.1')]);
    await redis.quit();
  });

  it('shares one limit between replicas: a client cannot multiply it by spreading requests', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await ping(replicas[i % 2]!, '198.18.0.2')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
