import { Injectable } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthModule, DEFAULT_RATE_LIMITS, RateLimitModule, SecurityRedis } from '@runnerly/security';
import {
  createTestApp,
  describeWithRedis,
  LogCapture,
  TEST_ISSUER,
  TestKeys,
} from '@runnerly/security/testing';
import { HealthModule } from './health.module';
import { RateLimitStorageReadiness } from './rate-limit-storage.readiness';
import { type ReadinessCheck } from './readiness-check';

type Behaviour = 'ready' | 'answers false' | 'rejects' | 'throws synchronously' | 'hangs';
const behaviour: Record<string, Behaviour> = {};

function checkFor(name: string): Promise<boolean> {
  switch (behaviour[name]) {
    case 'answers false':
      return Promise.resolve(false);
    case 'rejects':
      return Promise.reject(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
    case 'throws synchronously':
      throw new Error('pool destroyed');
    case 'hangs':
      return new Promise(() => undefined);
    default:
      return Promise.resolve(true);
  }
}

/** Names a reader would recognise, so the test can prove they never reach the client. */
@Injectable()
class DatabaseCheck implements ReadinessCheck {
  readonly name = 'postgres-x9q7';
  isReady(): Promise<boolean> {
    return checkFor(this.name);
  }
}

@Injectable()
class CacheCheck implements ReadinessCheck {
  readonly name = 'redis-x9q7';
  isReady(): Promise<boolean> {
    return checkFor(this.name);
  }
}

describe('HealthModule', () => {
  const logs = new LogCapture();
  let app: NestFastifyApplication;
  const get = (url: string) => app.inject({ method: 'GET', url });

  beforeAll(async () => {
    const keys = TestKeys.generate();
    app = await createTestApp({
      logs,
      imports: [
        RateLimitModule.forRoot({
          ...DEFAULT_RATE_LIMITS,
          general: { limit: 2, windowMs: 60_000 },
          credentialsPerIp: { limit: 2, windowMs: 60_000 },
        }),
        AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: keys.ring }),
        // Every test changes what the checks answer: no caching between them here.
        HealthModule.forRoot([DatabaseCheck, CacheCheck], [], { readinessCacheMs: 0 }),
      ],
    });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    behaviour['postgres-x9q7'] = 'ready';
    behaviour['redis-x9q7'] = 'ready';
    logs.clear();
  });
  afterEach(() => jest.useRealTimers());

  it('answers liveness with 200 {status: ok}', async () => {
    const response = await get('/health/live');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers readiness with 200 {status: ok} when every check passes', async () => {
    const response = await get('/health/ready');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('is public and never rate limited, so orchestrators can probe it constantly', async () => {
    const statuses = await Promise.all(Array.from({ length: 5 }, () => get('/health/live')));
    expect(statuses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200]);
  });

  it.each<Behaviour>(['answers false', 'rejects', 'throws synchronously'])(
    'answers 503 {status: unavailable} when a check %s, naming no dependency',
    async (failure) => {
      behaviour['redis-x9q7'] = failure;
      const response = await get('/health/ready');
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ status: 'unavailable' });
      expect(response.body).not.toMatch(/x9q7|ECONNREFUSED|10\.0\.0\.5|pool/);
    },
  );

  it('logs which check failed, for the operator', async () => {
    behaviour['postgres-x9q7'] = 'answers false';
    await get('/health/ready');
    expect(logs.withMessage('Readiness check failed')).toEqual([
      expect.objectContaining({ level: 'warn', check: 'postgres-x9q7' }),
    ]);
  });

  it('answers 503 when a check hangs past the 2 s timeout', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    behaviour['postgres-x9q7'] = 'hangs';
    const pending = get('/health/ready');
    await jest.advanceTimersByTimeAsync(2_000);
    const response = await pending;
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable' });
  });
});

describe('RateLimitStorageReadiness', () => {
  it('is ready with in-memory counters, which cannot be unreachable', async () => {
    expect(await new RateLimitStorageReadiness(null).isReady()).toBe(true);
  });

  it('is not ready while Redis does not answer (limited routes then fail closed)', async () => {
    const unreachable = SecurityRedis.connect('redis://127.0.0.1:1');
    try {
      expect(await new RateLimitStorageReadiness(unreachable).isReady()).toBe(false);
    } finally {
      await unreachable.onApplicationShutdown();
    }
  });
});

describeWithRedis('RateLimitStorageReadiness with Redis', (redisUrl) => {
  it('is ready while Redis answers', async () => {
    const reachable = SecurityRedis.connect(redisUrl());
    try {
      expect(await new RateLimitStorageReadiness(reachable).isReady()).toBe(true);
    } finally {
      await reachable.onApplicationShutdown();
    }
  });
});

describe('HealthModule with RateLimitStorageReadiness, wired as services wire it', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp({
      imports: [
        RateLimitModule.forRoot({ ...DEFAULT_RATE_LIMITS, redisUrl: 'redis://127.0.0.1:1' }),
        HealthModule.forRoot([RateLimitStorageReadiness]),
      ],
    });
  });
  afterAll(() => app.close());

  it("is not ready (503) while the service's Redis does not answer", async () => {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
  });
});

describe('HealthModule readiness under a flood of probes', () => {
  let app: NestFastifyApplication;
  let runs = 0;

  @Injectable()
  class CountedCheck implements ReadinessCheck {
    readonly name = 'counted';
    async isReady(): Promise<boolean> {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return true;
    }
  }

  beforeAll(async () => {
    app = await createTestApp({
      // Long enough for the burst to end within it on a busy machine (300 ms was not, in CI).
      imports: [HealthModule.forRoot([CountedCheck], [], { readinessCacheMs: 1_500 })],
    });
  });
  afterAll(() => app.close());

  it('checks its dependencies once for a burst of probes, then again once the result is stale', async () => {
    const probe = () => app.inject({ method: 'GET', url: '/health/ready' });
    const burst = await Promise.all(Array.from({ length: 50 }, probe));
    expect(burst.every((response) => response.statusCode === 200)).toBe(true);
    await probe();
    expect(runs).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1_600));
    await Promise.all(Array.from({ length: 10 }, probe));
    expect(runs).toBe(2);
  });
});
