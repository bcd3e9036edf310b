import { Client } from 'pg';
import { RunsTestService, type TestPerson, validRun } from './support/runs-test-service';

// A database that is up but too slow to answer (here: a table locked by another session) must cost a client
// a bounded wait and an honest, retryable answer: PostgreSQL cancels the statement at the statement timeout,
// rolls it back, and the service answers 503 with Retry-After, never a 500.
const STATEMENT_TIMEOUT_MS = 500;

let service: RunsTestService;
let locker: Client;

beforeAll(async () => {
  service = await RunsTestService.start({ DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) });
  locker = new Client({ connectionString: service.db.adminUrl });
  await locker.connect();
}, 60_000);

afterAll(async () => {
  await locker?.end();
  await service?.close();
});

const recordRun = (person: TestPerson) =>
  service.app.inject({ method: 'POST', url: '/runs', headers: person.headers, payload: validRun() });

it('answers 503 SERVICE.UNAVAILABLE with Retry-After when a write outlasts the statement timeout, and stores nothing', async () => {
  const ada = service.user();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE runs IN ACCESS EXCLUSIVE MODE');
  const started = Date.now();
  const answer = await recordRun(ada);
  const waitedMs = Date.now() - started;
  await locker.query('ROLLBACK');

  expect(answer.statusCode).toBe(503);
  expect(answer.headers['retry-after']).toBeDefined();
  expect(answer.json()).toMatchObject({ code: 'SERVICE.UNAVAILABLE', requestId: expect.any(String) });
  expect(waitedMs).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS);
  expect(await service.countRuns(ada.id)).toBe(0);
});

it('serves the same write once the lock is gone', async () => {
  const ada = service.user();
  const answer = await recordRun(ada);
  expect(answer.statusCode).toBe(201);
  expect(await service.countRuns(ada.id)).toBe(1);
});
