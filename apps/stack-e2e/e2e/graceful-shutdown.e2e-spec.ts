import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, serviceEntry } from '@runnerly/testing';
import { ServiceProcess } from '@runnerly/dev-infra';
import { RawHttpClient } from '@runnerly/security/testing';

// The built gateway as a real process, stopped with a real SIGTERM, in front of a stand-in `users` whose
// answers take as long as a test says: a request can be held in flight across the shutdown. Every
// service stops this way (createServiceApp); the gateway is the one a slow upstream can hold open.
const DRAIN_DELAY_MS = 1_000;
const TIMEOUT_MS = 4_000;
const FRAMEWORK_BODY = '{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}';

interface Answer {
  status: number;
  connection?: string;
  retryAfter?: string;
  body: string;
}

let upstream: Server;
let upstreamDelayMs = 0;
let gateway: ServiceProcess;
let gatewayUrl: string;

beforeAll(async () => {
  // Ready at once; the keys route (public, proxied to users) answers after `upstreamDelayMs`.
  upstream = createServer((request, response) => {
    if (request.url === '/health/ready') return void response.end('{"status":"ok"}');
    setTimeout(() => response.end('{"keys":[]}'), upstreamDelayMs).unref();
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
});

afterAll(() => {
  upstream.closeAllConnections();
  upstream.close();
});

beforeEach(async () => {
  upstreamDelayMs = 0;
  const port = await freePort();
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gatewayUrl = `http://127.0.0.1:${port}`;
  gateway = await ServiceProcess.start({
    name: 'gateway',
    entry: serviceEntry('gateway'),
    url: gatewayUrl,
    env: {
      NODE_ENV: 'test',
      PORT: String(port),
      LOG_FORMAT: 'json',
      USERS_URL: upstreamUrl,
      RUNS_URL: upstreamUrl,
      JWKS_URL: `${upstreamUrl}/.well-known/jwks.json`,
      RATE_LIMIT_GENERAL_LIMIT: '1000000',
      SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
      SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
    },
  });
});

afterEach(() => gateway.killNow());

/** One request on its own connection (or on `agent`'s kept-alive one), with the headers shutdown sets. */
function get(path: string, agent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${gatewayUrl}${path}`, { agent: agent ?? false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          connection: response.headers.connection,
          retryAfter: response.headers['retry-after'],
          body,
        }),
      );
    });
    request.on('error', reject).end();
  });
}

const sigterm = () => process.kill(gateway.pid, 'SIGTERM');

describe('graceful shutdown (SIGTERM to the built gateway)', () => {
  it('fails readiness at once, serves requests through the drain delay with Connection: close, then exits 0', async () => {
    const keepAlive = new Agent({ keepAlive: true });
    expect(await get('/.well-known/jwks.json', keepAlive)).toMatchObject({
      status: 200,
      connection: 'keep-alive',
    });
    const signalledAt = Date.now();
    sigterm();
    await sleep(100);

    expect(await get('/health/ready')).toMatchObject({ status: 503, body: '{"status":"unavailable"}' });
    expect(await get('/health/live')).toMatchObject({ status: 200 });
    // The kept-alive connection is told to close: its next request opens one to another instance.
    expect(await get('/.well-known/jwks.json', keepAlive)).toMatchObject({
      status: 200,
      connection: 'close',
      body: '{"keys":[]}',
    });
    expect(Date.now() - signalledAt).toBeLessThan(DRAIN_DELAY_MS);

    expect(await gateway.waitForExit()).toBe(0);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(DRAIN_DELAY_MS);
    // An idle keep-alive connection (the test's readiness polling holds one) is left open until it closes or
    // the timeout comes: the shutdown may take the whole timeout, and no longer.
    expect(Date.now() - signalledAt).toBeLessThan(DRAIN_DELAY_MS + TIMEOUT_MS + 1_000);
    keepAlive.destroy();
  });

  it('finishes a request that was in flight when SIGTERM came, past the drain delay, then exits 0', async () => {
    upstreamDelayMs = DRAIN_DELAY_MS + 1_000;
    const inFlight = get('/.well-known/jwks.json');
    await sleep(200);
    sigterm();

    expect(await inFlight).toMatchObject({ status: 200, connection: 'close', body: '{"keys":[]}' });
    expect(await gateway.waitForExit()).toBe(0);
  });

  it('once the listener is closed, refuses new connections, and answers a request still arriving with the safe 503', async () => {
    // A client that connected during the drain and whose request is still arriving when the listener closes.
    sigterm();
    await sleep(200);
    const client = await RawHttpClient.connect(Number(new URL(gatewayUrl).port));
    void client.send(['GET /health/live HTTP/1.1\r\nHost: x\r\n']);
    await sleep(DRAIN_DELAY_MS + 300);

    await expect(get('/health/live')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    void client.send(['\r\n']);
    const refusal = await client.closed;

    expect(refusal.body).not.toBe(FRAMEWORK_BODY);
    expect(refusal).toMatchObject({
      status: 503,
      headers: expect.objectContaining({ 'retry-after': '1', connection: 'close' }),
    });
    expect(JSON.parse(refusal.body)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SERVICE.UNAVAILABLE',
      message: 'The service is shutting down. Retry shortly.',
      requestId: refusal.headers['x-request-id'],
    });
    expect(await gateway.waitForExit()).toBe(0);
  });

  it('cuts requests still running after the shutdown timeout, and exits 1', async () => {
    upstreamDelayMs = 60_000;
    const stuck = get('/.well-known/jwks.json').catch((error: NodeJS.ErrnoException) => error.code);
    await sleep(200);
    const signalledAt = Date.now();
    sigterm();

    expect(await gateway.waitForExit()).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(DRAIN_DELAY_MS + TIMEOUT_MS + 1_000);
    expect(await stuck).toBe('ECONNRESET');
  });

  it('fails no request of clients that stop sending once readiness fails, as a load balancer does', async () => {
    let ready = true;
    const outcomes = { ok: 0, failed: 0, duringDrain: 0 };
    // The balancer: probes readiness every 100 ms (a refused connection is "not ready" too).
    const balancer = (async () => {
      while (ready) {
        await sleep(100);
        ready = await get('/health/ready').then(
          (answer) => answer.status === 200,
          () => false,
        );
      }
    })();
    // Four clients, each sending back to back while the balancer says the instance is ready.
    const clients = Array.from({ length: 4 }, async () => {
      const agent = new Agent({ keepAlive: true });
      while (ready) {
        const answer = await get('/.well-known/jwks.json', agent).catch(() => undefined);
        if (answer?.status === 200) outcomes.ok++;
        else outcomes.failed++;
        if (answer?.connection === 'close') outcomes.duringDrain++;
      }
      agent.destroy();
    });
    await sleep(500);
    sigterm();
    await Promise.all([balancer, ...clients]);

    expect(outcomes.failed).toBe(0);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.duringDrain).toBeGreaterThan(0);
    expect(await gateway.waitForExit()).toBe(0);
    process.stdout.write(`graceful shutdown traffic: ${JSON.stringify(outcomes)}\n`);
  });
});
