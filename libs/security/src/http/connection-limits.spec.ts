import { Controller, Get } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Public } from '../auth/auth.decorators';
import { AuditEvent } from '../logging/audit-log.service';
import { createTestApp, LogCapture } from '../testing';
import { RawHttpClient } from '../testing/raw-http';
import { type ConnectionLimits } from './connection-limits';
import { SECURITY_HEADERS } from './security-headers';

@Public()
@Controller()
class Routes {
  @Get('ping')
  ping(): { pong: true } {
    return { pong: true };
  }
}

const LIMITS: ConnectionLimits = {
  requestTimeoutMs: 1_500,
  headersTimeoutMs: 600,
  keepAliveTimeoutMs: 400,
  idleTimeoutMs: 3_000,
  maxConnectionsPerClient: 4,
};
/** Node checks the request timeouts on an interval (half the headers timeout here), and CI machines are busy. */
const SLACK_MS = 1_500;
const HEAD = 'GET /ping HTTP/1.1\r\nHost: localhost\r\n';

describe('slow and greedy clients (createServiceApp connection limits)', () => {
  let app: NestFastifyApplication;
  let port: number;
  const logs = new LogCapture();
  const clients: RawHttpClient[] = [];
  const open = async () => {
    const client = await RawHttpClient.connect(port);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    app = await createTestApp({ logs, controllers: [Routes], connectionLimits: LIMITS });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(await app.getUrl()).port);
  });
  afterEach(() => clients.splice(0).forEach((client) => client.close()));
  afterAll(() => app.close());

  it('answers 408 and closes a connection whose headers trickle in (slowloris)', async () => {
    const client = await open();
    void client.send([HEAD, ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: 1\r\n`)], 100);
    const response = await client.closed;

    expect(response.status).toBe(408);
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 408, code: 'REQUEST.TIMEOUT' });
    expect(response.closedAfterMs).toBeLessThan(LIMITS.headersTimeoutMs + SLACK_MS);
  });

  it('answers 408 and closes a connection whose body never finishes arriving (slow upload)', async () => {
    const client = await open();
    await client.send([
      'POST /ping HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
      '{"a":',
    ]);
    const response = await client.closed;

    expect(response.status).toBe(408);
    expect(response.closedAfterMs).toBeLessThan(LIMITS.requestTimeoutMs + SLACK_MS);
  });

  it('closes a connection that never sends anything', async () => {
    const client = await open();
    const response = await client.closed;
    expect(response.closedAfterMs).toBeLessThan(LIMITS.requestTimeoutMs + SLACK_MS);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const client = await open();
    await client.send([`${HEAD}\r\n`]);
    const response = await client.closed;

    expect(response.status).toBe(200);
    expect(response.closedAfterMs).toBeGreaterThanOrEqual(LIMITS.keepAliveTimeoutMs - 50);
    // Node 24 keeps the socket open `keepAliveTimeoutBuffer` (1 s) longer than it advertises, so that a
    // client's request in flight is not cut off.
    expect(response.closedAfterMs).toBeLessThan(LIMITS.keepAliveTimeoutMs + 1_000 + SLACK_MS);
  });

  it('refuses a client its connections beyond the limit with 429, and accepts it again once one closes', async () => {
    const held = await Promise.all(Array.from({ length: LIMITS.maxConnectionsPerClient }, open));
    const refused = await open();
    void refused.send([`${HEAD}\r\n`]);
    const answer = await refused.closed;

    expect(answer.status).toBe(429);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'RATE_LIMIT.EXCEEDED' });
    expect(logs.auditEvents(AuditEvent.RateLimited).at(-1)).toMatchObject({
      audit: { client: '127.0.0.1', reason: 'too many open connections' },
    });

    held[0]!.close();
    await held[0]!.closed;
    const next = await open();
    await next.send([`${HEAD}Connection: close\r\n\r\n`]);
    expect((await next.closed).status).toBe(200);
  });

  it.each([
    ['a malformed request line', 'GARBAGE\r\n\r\n', 400, 'REQUEST.MALFORMED'],
    [
      'headers over the size limit',
      `${HEAD}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'REQUEST.HEADERS_TOO_LARGE',
    ],
  ])('answers %s in the error shape, with every security header', async (_case, request, status, code) => {
    const client = await open();
    await client.send([request]);
    const response = await client.closed;

    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({
      statusCode: status,
      error: expect.any(String),
      code,
      message: expect.any(String),
      requestId: response.headers['x-request-id'],
    });
    expect(response.headers).toMatchObject(SECURITY_HEADERS);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(logs.withMessage('Refused a request before it reached the application').at(-1)).toMatchObject({
      level: 'warn',
      code,
    });
  });
});

describe('connection limits behind a trusted proxy', () => {
  let app: NestFastifyApplication;
  let port: number;
  beforeAll(async () => {
    app = await createTestApp({
      controllers: [Routes],
      trustProxyHops: 1,
      connectionLimits: { ...LIMITS, maxConnectionsPerClient: 1 },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(await app.getUrl()).port);
  });
  afterAll(() => app.close());

  it("does not count connections per socket address: they are all the proxy's, which must limit them", async () => {
    const clients = await Promise.all(Array.from({ length: 3 }, () => RawHttpClient.connect(port)));
    const last = clients.at(-1)!;
    await last.send([`${HEAD}Connection: close\r\n\r\n`]);
    expect((await last.closed).status).toBe(200);
    clients.forEach((client) => client.close());
  });
});
