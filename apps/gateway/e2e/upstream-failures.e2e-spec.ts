import { DEFAULT_READINESS_CACHE_MS } from '@runnerly/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { UPSTREAM_IDLE_CONNECTION_MS } from '../src/proxy/register-upstream-proxy';
import { GatewayTestApp } from './support/gateway-test-app';

let gateway: GatewayTestApp;
let token: string;

beforeAll(async () => {
  gateway = await GatewayTestApp.start({ UPSTREAM_TIMEOUT_MS: '500' });
  token = gateway.tokens.user();
}, 60_000);

afterAll(() => gateway?.close());
beforeEach(() => gateway.reset());

it('answers 504 in the error shape when a service does not answer in time', async () => {
  gateway.runs.handler = () => undefined; // never answers
  const started = Date.now();
  const response = await gateway.fetch('/api/runs', { token });

  expect(response.status).toBe(504);
  expect(await response.json()).toMatchObject({
    statusCode: 504,
    code: 'UPSTREAM.TIMEOUT',
    requestId: expect.any(String),
  });
  expect(Date.now() - started).toBeLessThan(3_000);
});

it('answers 502 in the error shape, at once, when a service is down', async () => {
  const down = await GatewayTestApp.start({ RUNS_URL: 'http://127.0.0.1:9' });
  try {
    const started = Date.now();
    const response = await down.fetch('/api/runs', { token: down.tokens.user() });

    expect(response.status).toBe(502);
    const body = await response.json();
    expect(body).toEqual({
      statusCode: 502,
      error: 'Bad Gateway',
      code: 'UPSTREAM.UNAVAILABLE',
      message: expect.any(String),
      requestId: expect.any(String),
    });
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await down.fetch('/health/ready')).status).toBe(503);
  } finally {
    await down.close();
  }
}, 60_000);

it('never retries a request on its own (a repeated POST could act twice)', async () => {
  gateway.runs.handler = (_request, response) =>
    void response.writeHead(503, { 'content-type': 'application/json' }).end('{}');
  expect((await gateway.fetch('/api/runs', { token })).status).toBe(503);
  expect((await gateway.fetch('/api/runs', { method: 'POST', token, json: { title: 'x' } })).status).toBe(
    503,
  );
  expect(gateway.runs.requests).toHaveLength(2);
});

it('closes an idle connection to a service itself, long before the service would (a close on the service side can meet a request in flight and reset it)', async () => {
  // The stub announces a 60 s keep-alive: only the gateway's own idle limit can close the connection.
  expect((await gateway.fetch('/api/runs', { token })).status).toBe(200);
  expect(gateway.runs.openConnections).toBeGreaterThan(0);
  const closedByGatewayBefore = gateway.runs.connectionsClosedByClient;
  const idleSince = Date.now();
  while (gateway.runs.openConnections > 0 && Date.now() - idleSince < 10_000) await sleep(50);

  expect(gateway.runs.openConnections).toBe(0);
  expect(Date.now() - idleSince).toBeGreaterThanOrEqual(UPSTREAM_IDLE_CONNECTION_MS - 500);
  expect(gateway.runs.connectionsClosedByClient).toBeGreaterThan(closedByGatewayBefore);
}, 20_000);

it('is ready while both services are ready', async () => {
  const ready = await gateway.fetch('/health/ready');
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ok' });
});

it('probes the services once for a burst of anonymous readiness probes (no amplification)', async () => {
  await new Promise((resolve) => setTimeout(resolve, DEFAULT_READINESS_CACHE_MS));
  const before = gateway.users.readinessProbes;
  const burst = await Promise.all(Array.from({ length: 100 }, () => gateway.fetch('/health/ready')));

  expect(burst.every((response) => response.status === 200)).toBe(true);
  expect(gateway.users.readinessProbes - before).toBe(1);
});
