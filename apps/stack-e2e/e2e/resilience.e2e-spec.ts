import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { type Account, eventually, GatewayClient, serviceEntry } from '@runnerly/testing';
import { Stack } from './support/stack';

let stack: Stack;
let api: GatewayClient;
let ada: Account;

beforeAll(async () => {
  stack = await Stack.start();
  api = new GatewayClient(stack.gatewayUrl);
  ada = await api.signUp('ada');
}, 120_000);

afterAll(() => stack?.stop());

/** Sends the path byte for byte (fetch would normalise `..` and `%2e` away). */
function rawRequest(method: string, path: string): Promise<number> {
  const { hostname, port } = new URL(stack.gatewayUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, method, path }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject).end();
  });
}

describe('the edge', () => {
  it('refuses an oversized body with 413 in the error shape', async () => {
    const response = await api.call('POST', '/api/auth/register', {
      json: { email: 'x@example.com', password: 'p'.repeat(20_000), displayName: 'x' },
    });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ statusCode: 413, code: 'REQUEST.PAYLOAD_TOO_LARGE' });
  });

  it.each([
    ['POST', '/oauth/token'],
    ['DELETE', `/internal/users/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/runs`],
    ['DELETE', '/api/runs/..%2f..%2finternal%2fusers%2fx%2fruns'],
    ['DELETE', '/api/runs/%2e%2e/%2e%2e/internal/users/x/runs'],
    ['GET', '/api/../openapi.json'],
  ])('answers %s %s with 404: internal routes are not reachable', async (method, path) => {
    expect(await rawRequest(method, path)).toBe(404);
  });
});

describe('when runs is down', () => {
  it('answers 502 quickly in the error shape, is not ready, and recovers when runs is back', async () => {
    await stack.stopService('runs');
    try {
      const started = Date.now();
      const response = await api.call('GET', '/api/runs', { token: ada.accessToken });
      expect(response.status).toBe(502);
      expect(response.body).toMatchObject({
        statusCode: 502,
        code: 'UPSTREAM.UNAVAILABLE',
        requestId: expect.any(String),
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      // Within the readiness cache's second, an earlier answer may still stand.
      await eventually(async () => expect((await api.call('GET', '/health/ready')).status).toBe(503), 3_000);
    } finally {
      await stack.startService('runs');
    }
    expect((await api.call('GET', '/api/runs', { token: ada.accessToken })).status).toBe(200);
  });

  it("still purges a deleted account's runs once runs comes back (outbox)", async () => {
    const leaving = await api.signUp('leaving');
    await api.createRun(leaving.accessToken);
    await api.createRun(leaving.accessToken);
    await stack.stopService('runs');
    try {
      expect((await api.call('DELETE', '/api/users/me', { token: leaving.accessToken })).status).toBe(204);
      const [queued] = await stack
        .database('users')
        .query('SELECT attempts FROM run_purge_requests WHERE account_id = $1', [leaving.id]);
      expect(queued).toBeDefined();
      expect(await stack.runCountOf(leaving.id)).toBe(2);
    } finally {
      await stack.startService('runs');
    }
    await eventually(async () => expect(await stack.runCountOf(leaving.id)).toBe(0), 15_000);
    await eventually(async () =>
      expect(
        await stack
          .database('users')
          .query('SELECT 1 FROM run_purge_requests WHERE account_id = $1', [leaving.id]),
      ).toEqual([]),
    );
  });
});

describe('a production start with a weak secret', () => {
  it('is refused: users exits with status 1 and names the variable, not its value', async () => {
    const child = spawn(process.execPath, [serviceEntry('users')], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://users:secret1@127.0.0.1:1/users',
        PORT: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');

    expect(code).toBe(1);
    expect(stderr).toContain('Refusing to start');
    expect(stderr).toContain('DATABASE_URL: too weak for production');
    expect(stderr).toContain('DATABASE_URL: plaintext in production');
    expect(stderr).toContain('JWT_PRIVATE_KEY: required in production');
    expect(stderr).not.toContain('secret1');
  });
});
