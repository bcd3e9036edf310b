import { type ServerResponse } from 'node:http';
import { DEFAULT_READINESS_CACHE_MS } from '@runnerly/platform';
import { INSTANCE_DRAINING_HEADER, INSTANCE_STOPPING_HEADER } from '@runnerly/security';
import { GatewayTestApp } from './support/gateway-test-app';
import { type StubHandler, StubUpstream } from './support/stub-upstream';

const IDEMPOTENCY_KEY = { 'idempotency-key': '0d4f7c52-3e1a-4b8e-9f60-7a2c1d5e8b34' };

let gateway: GatewayTestApp;
let instances: [StubUpstream, StubUpstream];
let token: string;

/** The gateway in front of two instances of `runs`. */
beforeEach(async () => {
  instances = await Promise.all([StubUpstream.start(), StubUpstream.start()]);
  gateway = await GatewayTestApp.start({ RUNS_URL: instances.map((instance) => instance.url).join(',') });
  token = gateway.tokens.user();
}, 60_000);

afterEach(async () => {
  await gateway.close();
  await Promise.all(instances.map((instance) => instance.close()));
});

const received = () => instances.map((instance) => instance.requests.length);

/** Both instances break the connection of the first request either of them receives, after reading it whole. */
function resetFirstRequest(): void {
  let resets = 1;
  for (const instance of instances) {
    const answer = instance.handler;
    instance.handler = (request, response) =>
      resets-- > 0 ? (response as ServerResponse).socket!.destroy() : answer(request, response);
  }
}

/** Both instances answer the first request either of them receives as an instance whose listener closed. */
function refuseFirstRequestWhileStopping(): void {
  let refusals = 1;
  for (const instance of instances) {
    const answer = instance.handler;
    instance.handler = (request, response) =>
      refusals-- > 0
        ? void response
            .writeHead(503, { 'content-type': 'application/json', [INSTANCE_STOPPING_HEADER]: '1' })
            .end('{}')
        : answer(request, response);
  }
}

const postRun = (headers: Record<string, string> = {}) =>
  gateway.fetch('/api/runs', { method: 'POST', token, headers, json: { title: 'Morning run' } });

it('spreads requests over every instance of a service', async () => {
  for (let i = 0; i < 10; i++) expect((await gateway.fetch('/api/runs', { token })).status).toBe(200);
  expect(received()).toEqual([5, 5]);
});

it('answers every request through the other instance while one refuses connections', async () => {
  await instances[0].close();
  const statuses = [];
  for (let i = 0; i < 10; i++) statuses.push((await gateway.fetch('/api/runs', { token })).status);

  expect(statuses).toEqual(Array(10).fill(200));
  expect(instances[1].requests).toHaveLength(10);
});

it('retries a POST without a key whose connection was refused (it was never sent)', async () => {
  await instances[1].close();
  // The turn of instance 0; the POST starts at instance 1, so it reaching 0 proves the retry.
  await gateway.fetch('/api/runs', { token });

  const started = Date.now();
  const response = await postRun();
  expect(response.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(instances[0].requests.map((request) => request.method)).toEqual(['GET', 'POST']);
});

it('does not retry a POST without a key that reached an instance which then broke the connection (502)', async () => {
  resetFirstRequest();
  const response = await postRun();

  expect(response.status).toBe(502);
  expect(await response.json()).toMatchObject({
    code: 'UPSTREAM.UNAVAILABLE',
    requestId: expect.any(String),
  });
  expect(received().reduce((a, b) => a + b)).toBe(1);
});

it('retries a POST with an Idempotency-Key on the other instance, forwarding the key', async () => {
  resetFirstRequest();
  const response = await postRun(IDEMPOTENCY_KEY);

  expect(response.status).toBe(200);
  expect(received()).toEqual([1, 1]);
  for (const instance of instances) expect(instance.last?.headers).toMatchObject(IDEMPOTENCY_KEY);
});

it('retries a GET whose connection broke before an answer (safe by HTTP semantics)', async () => {
  resetFirstRequest();
  expect((await gateway.fetch('/api/runs', { token })).status).toBe(200);
  expect(received()).toEqual([1, 1]);
});

it('retries a POST without a key that an instance refused while stopping (its 503 says it never ran it)', async () => {
  refuseFirstRequestWhileStopping();
  const response = await postRun();

  expect(response.status).toBe(200);
  expect(response.headers.get(INSTANCE_STOPPING_HEADER)).toBeNull();
  expect(received()).toEqual([1, 1]);
});

it('sends nothing more to an instance whose answer says it is draining, while another instance is up', async () => {
  const answer = instances[0].handler;
  instances[0].handler = (request, response) => {
    (response as ServerResponse).setHeader(INSTANCE_DRAINING_HEADER, '1');
    answer(request, response);
  };

  const first = await gateway.fetch('/api/runs', { token });
  const statuses = [first.status];
  for (let i = 0; i < 5; i++) statuses.push((await gateway.fetch('/api/runs', { token })).status);

  expect(statuses).toEqual(Array(6).fill(200));
  expect(received()).toEqual([1, 5]);
  expect(first.headers.get(INSTANCE_DRAINING_HEADER)).toBeNull();
});

it.each([
  ['a 503', 503],
  ['a 500', 500],
])('never retries after an answer, even %s', async (_name, status) => {
  const answer: StubHandler = (_request, response) =>
    void response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  for (const instance of instances) instance.handler = answer;

  expect((await postRun(IDEMPOTENCY_KEY)).status).toBe(status);
  expect((await gateway.fetch('/api/runs', { token })).status).toBe(status);
  expect(received()).toEqual([1, 1]);
});

it('answers 502 in the error shape when every instance refuses', async () => {
  await Promise.all(instances.map((instance) => instance.close()));
  const response = await postRun();

  expect(response.status).toBe(502);
  expect(await response.json()).toMatchObject({
    code: 'UPSTREAM.UNAVAILABLE',
    requestId: expect.any(String),
  });
});

it('is ready while one instance of each service is ready, and not when none is', async () => {
  await instances[0].close();
  expect((await gateway.fetch('/health/ready')).status).toBe(200);
  await instances[1].close();
  await new Promise((resolve) => setTimeout(resolve, DEFAULT_READINESS_CACHE_MS));
  expect((await gateway.fetch('/health/ready')).status).toBe(503);
});
