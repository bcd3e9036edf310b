import { describeWithRedis, freePort, GatewayClient } from '@runnerly/testing';
import { Stack } from './support/stack';

const GENERAL_LIMIT = 30;

describeWithRedis('rate limits shared by two gateway replicas through Redis', () => {
  let stack: Stack;
  let first: GatewayClient;
  let second: GatewayClient;

  beforeAll(async () => {
    stack = await Stack.start({
      withRedis: true,
      extra: {
        gateway: { RATE_LIMIT_GENERAL_LIMIT: String(GENERAL_LIMIT) },
      },
    });
    first = new GatewayClient(stack.gatewayUrl);
    second = new GatewayClient(await stack.startReplicaGateway('gateway-2'));
  }, 120_000);

  afterAll(() => stack?.stop());

  it('let exactly the configured number through, in total, under concurrent load on both replicas', async () => {
    // Unauthenticated calls still count: the limit runs before authentication.
    const responses = await Promise.all(
      Array.from({ length: 3 * GENERAL_LIMIT }, (_, i) =>
        (i % 2 === 0 ? first : second).call('GET', '/api/runs'),
      ),
    );
    const limited = responses.filter((response) => response.status === 429);

    expect(responses.length - limited.length).toBe(GENERAL_LIMIT);
    expect(limited).toHaveLength(2 * GENERAL_LIMIT);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMIT.EXCEEDED' });
  });

  it('are not reset by a client sending its own X-Forwarded-For', async () => {
    const spoofed = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        first.call('GET', '/api/runs', { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } }),
      ),
    );
    expect(spoofed.every((response) => response.status === 429)).toBe(true);
  });

  it('stop a client guessing one account on whichever replica of users the guesses arrive', async () => {
    const email = GatewayClient.nextEmail('target');
    const guess = (client: GatewayClient) =>
      client.call('POST', '/api/auth/login', { json: { email, password: 'guess number one' } });
    // The general limit above is spent for 127.0.0.1, so this runs on a fresh stack: two replicas of
    // users sharing Redis, each behind its own gateway.
    const fresh = await Stack.start({
      withRedis: true,
      extra: { users: { RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT: '3' } },
    });
    try {
      const usersPort = String(await freePort());
      await fresh.startService('users', 'users-2', { PORT: usersPort });
      const gatewayPort = String(await freePort());
      await fresh.startService('gateway', 'gateway-2', {
        PORT: gatewayPort,
        USERS_URL: `http://127.0.0.1:${usersPort}`,
      });
      const [a, b] = [
        new GatewayClient(fresh.gatewayUrl),
        new GatewayClient(`http://127.0.0.1:${gatewayPort}`),
      ];
      const statuses = [];
      for (const client of [a, b, a, b]) statuses.push((await guess(client)).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await fresh.stop();
    }
  }, 120_000);
});
