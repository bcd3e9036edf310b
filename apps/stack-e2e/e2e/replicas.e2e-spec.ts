import { randomUUID } from 'node:crypto';
import { Stack } from './support/stack';
import { type Account, GatewayClient } from '@runnerly/testing';

let stack: Stack;
let api: GatewayClient;
let ada: Account;

beforeAll(async () => {
  // A drain delay, as in production: an instance answers with Connection: close before its listener
  // closes, so the gateway holds few idle connections to it by then, and closes those itself within 2 s
  // (UPSTREAM_IDLE_CONNECTION_MS): the whole stop stays within the 10 s after which the harness kills a
  // process, with the services' own 10 s keep-alive timeout, as in production.
  // A restarted instance opens new database connections; on a CI machine saturated by other suites sharing
  // its PostgreSQL, that took longer than the 1.5 s default connect timeout, and the answer was the honest
  // 503 of an unreachable database. This test is about restarts (database-outage tests the timeout).
  stack = await Stack.start({
    secondRuns: true,
    extra: {
      runs: {
        SHUTDOWN_DRAIN_DELAY_MS: '1000',
        DATABASE_CONNECT_TIMEOUT_MS: '10000',
      },
    },
  });
  api = new GatewayClient(stack.gatewayUrl);
  ada = await api.signUp('ada');
}, 180_000);

afterAll(() => stack?.stop());

interface Outcome {
  method: string;
  /** The HTTP status, or the client's error message when no answer came. */
  status: number | string;
  body?: Record<string, unknown>;
  ms: number;
}

const RUN = {
  title: 'Tempo run',
  distanceMeters: 10_000,
  durationSeconds: 2_900,
  startedAt: '2026-11-01T07:00:00.000Z',
};

/**
 * A client that writes and reads through the gateway, one request after the other, until told to stop.
 * Every other write carries an Idempotency-Key; the rest carry none, so the gateway may retry them only
 * when the instance provably never ran them (a refused connection, or the 503 of an instance stopping).
 */
async function client(running: () => boolean, outcomes: Outcome[]): Promise<void> {
  for (let i = 0; running(); i++) {
    const method = i % 2 === 0 ? 'POST' : 'GET';
    const keyed = i % 4 === 0;
    const started = performance.now();
    const outcome = await api
      .call(method, '/api/runs', {
        token: ada.accessToken,
        json: method === 'POST' ? RUN : undefined,
        headers: keyed ? { 'idempotency-key': randomUUID() } : {},
      })
      .then(({ status, body }) => ({ status, body: status < 400 ? undefined : body }))
      .catch((error: Error) => ({ status: error.message }));
    outcomes.push({ method, ...outcome, ms: performance.now() - started });
  }
}

let outcomes: Outcome[];

/** Four clients write and read through the gateway while each instance of runs is restarted in turn. */
beforeAll(async () => {
  outcomes = [];
  let running = true;
  const clients = Array.from({ length: 4 }, () => client(() => running, outcomes));
  await new Promise((resolve) => setTimeout(resolve, 500));
  await stack.restartService('runs');
  await stack.restartService('runs', 'runs-2');
  await new Promise((resolve) => setTimeout(resolve, 500));
  running = false;
  await Promise.all(clients);
}, 180_000);

/** The failed requests, each with what the gateway and the runs instances logged about it (its cause). */
const failures = () =>
  outcomes
    .filter(({ status }) => status !== 200 && status !== 201)
    .map((outcome) => ({
      ...outcome,
      logged: Object.values(stack.logs)
        .flat()
        .filter((line) => outcome.body?.requestId !== undefined && line.requestId === outcome.body.requestId),
    }));

it('fails no request, with or without an idempotency key, while each instance of runs is restarted in turn (SIGTERM, then started again): requests it never ran are retried', () => {
  expect(outcomes.length).toBeGreaterThan(100);
  expect(failures()).toEqual([]);
  const retried = stack.logs.gateway!.filter(({ msg }) =>
    [
      'Upstream instance failed; retrying on another',
      'Upstream instance is stopping; retrying on another',
    ].includes(msg as string),
  );
  expect(retried.length).toBeGreaterThan(0);
});

it('stores every acknowledged write exactly once, retried or not', async () => {
  const created = outcomes.filter(({ method, status }) => method === 'POST' && status === 201).length;
  expect(await stack.runCountOf(ada.id)).toBe(created);
});
