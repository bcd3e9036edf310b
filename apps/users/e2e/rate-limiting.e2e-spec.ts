import { ErrorCode } from '@runnerly/security';
import { describeWithRedis } from '@runnerly/testing';
import { UsersTestApp } from './support/users-test-app';

/** Small limits, so that the tests reach them quickly. */
const LIMITS = {
  RATE_LIMIT_CREDENTIALS_IP_LIMIT: '6',
  RATE_LIMIT_CREDENTIALS_ACCOUNT_LIMIT: '3',
  RATE_LIMIT_CREDENTIALS_ACCOUNT_WINDOW_SECONDS: '60',
  TRUST_PROXY_HOPS: '1',
};

function loginThrottlingSpecs(users: () => UsersTestApp): void {
  const loginFrom = (ip: string, email: string) =>
    users().post('/auth/login', { email, password: 'a wrong password guess' }, undefined, {
      'x-forwarded-for': ip,
    });

  it('stops password guessing on one account after the per-account limit, whatever the client IP', async () => {
    const email = users().nextEmail('target');
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
      expect((await loginFrom(ip, email)).statusCode).toBe(401);

    const blocked = await loginFrom('198.51.100.4', email);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(blocked.json()).toMatchObject({
      statusCode: 429,
      code: ErrorCode.RateLimited,
      requestId: expect.any(String),
    });
  });

  it('stops one client IP after the per-IP limit, however many accounts it tries', async () => {
    const ip = '203.0.113.9';
    for (let attempt = 0; attempt < 6; attempt++) {
      expect((await loginFrom(ip, users().nextEmail('stuffing'))).statusCode).toBe(401);
    }
    expect((await loginFrom(ip, users().nextEmail('stuffing'))).statusCode).toBe(429);
    // Another client is not affected.
    expect((await loginFrom('203.0.113.10', users().nextEmail('stuffing'))).statusCode).toBe(401);
  });

  it('counts a blocked account even for the right password (no oracle while blocked)', async () => {
    const user = await users().register();
    for (let attempt = 0; attempt < 3; attempt++) await loginFrom('192.0.2.50', user.email);
    const response = await users().post(
      '/auth/login',
      { email: user.email, password: user.password },
      undefined,
      { 'x-forwarded-for': '192.0.2.51' },
    );
    expect(response.statusCode).toBe(429);
  });
}

describe('login throttling with in-memory counters', () => {
  let users: UsersTestApp;
  beforeAll(async () => {
    users = await UsersTestApp.start(LIMITS);
  }, 60_000);
  afterAll(() => users?.close());

  loginThrottlingSpecs(() => users);
});

describeWithRedis('login throttling with counters in Redis', (redisUrl) => {
  let users: UsersTestApp;
  beforeAll(async () => {
    users = await UsersTestApp.start({ ...LIMITS, REDIS_URL: redisUrl() });
  }, 60_000);
  afterAll(() => users?.close());

  loginThrottlingSpecs(() => users);
});
