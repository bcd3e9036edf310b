import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  answerOf,
  authorizationHeader,
  contentType,
  dateTimeString,
  type FuzzAnswer,
  fuzz,
  hostileText,
  instantNearNow,
  jsonBodies,
  numbersAround,
  numericQueryValues,
  percentEncode,
  queryStrings,
  stringsAroundBound,
  tamperedCursor,
  textFieldValues,
  toJsonText,
  uuidLike,
  withUnknownMember,
} from '@runnerly/security/testing';
import { FuzzTarget } from '@runnerly/testing';
import { type InjectOptions } from 'fastify';
import { RunsTestService, type TestPerson, validRun } from './support/runs-test-service';

// Property-based fuzzing of every input of `runs`: each generated request must get a 2xx or a 4xx in
// the common error shape (never a 5xx), a refusal must change no row, and no request may pollute the
// built-in prototypes (FuzzTarget checks all three). FUZZ_SEED and FUZZ_RUNS steer the runs.

/** No run has this id (a fixed one keeps the test names stable). */
const NOBODYS_RUN = '00000000-0000-4000-8000-000000000000';

let service: RunsTestService;
let target: FuzzTarget;
let ada: TestPerson;
let bob: TestPerson;
let admin: TestPerson;
let adasRuns: string[];
let bobsRun: string;

beforeAll(async () => {
  service = await RunsTestService.start();
  [ada, bob, admin] = [service.user(), service.user(), service.admin()];
  adasRuns = [];
  for (let index = 0; index < 3; index += 1) adasRuns.push((await service.createRun(ada)).id);
  bobsRun = (await service.createRun(bob)).id;
  target = await FuzzTarget.open({
    databases: [{ db: service.db, tables: ['runs', 'erased_accounts'] }],
    inProcess: true,
  });
}, 60_000);

afterAll(async () => {
  await target?.close();
  await service?.close();
});

const send = (request: InjectOptions): Promise<FuzzAnswer> =>
  target.check(async () => answerOf(await service.app.inject(request)));

const withJson = (payload: string, person: TestPerson) => ({
  payload,
  headers: { 'content-type': 'application/json', ...person.headers },
});

const FIELDS = {
  title: textFieldValues(100),
  notes: fc.oneof(textFieldValues(2000, 0), fc.constant(null)),
  distanceMeters: numbersAround(1, 1_000_000),
  durationSeconds: numbersAround(1, 604_800),
  startedAt: fc.oneof(dateTimeString(), instantNearNow(10 * 60_000)),
};
const runIds = () => fc.oneof(fc.constantFrom(...adasRuns, bobsRun), uuidLike());
const people = () => fc.constantFrom(ada, bob, admin);

describe('the runs of a runner', () => {
  it('answers every generated new run with 2xx or 4xx and stores nothing it refused', async () => {
    await fuzz(80, jsonBodies(validRun(), FIELDS), (body) =>
      send({ method: 'POST', url: '/runs', ...withJson(body, ada) }),
    );
  }, 60_000);

  it('answers every title and notes around their bounds, by any length measure, with 2xx or 4xx', async () => {
    const changes = fc.oneof(
      stringsAroundBound(100).map((title) => ({ title })),
      stringsAroundBound(2000).map((notes) => ({ notes })),
    );
    await fuzz(60, changes, (change) =>
      send({ method: 'POST', url: '/runs', ...withJson(toJsonText({ ...validRun(), ...change }), ada) }),
    );
  }, 60_000);

  it('answers every generated change of a run (path id and body) with 2xx or 4xx and stores nothing it refused', async () => {
    await fuzz(
      80,
      fc.tuple(runIds(), people(), jsonBodies({ title: 'Evening run' }, FIELDS)),
      ([id, person, body]) =>
        send({ method: 'PATCH', url: `/runs/${percentEncode(id)}`, ...withJson(body, person) }),
    );
  }, 60_000);

  it('answers every generated read or deletion of one run with 2xx or 4xx', async () => {
    // Deletions target the ids of runs that do not exist, or of someone else: the fixtures stay.
    await fuzz(
      60,
      fc.oneof(
        fc.tuple(fc.constant('GET' as const), runIds(), people()),
        fc.tuple(
          fc.constant('DELETE' as const),
          fc.oneof(fc.constant(bobsRun), uuidLike()),
          fc.constant(ada),
        ),
      ),
      ([method, id, person]) => send({ method, url: `/runs/${percentEncode(id)}`, headers: person.headers }),
    );
  }, 60_000);

  it('answers every generated list query (limit, cursor, from, to, userId) with 2xx or 4xx', async () => {
    const queries = queryStrings({
      limit: numericQueryValues(1, 100),
      cursor: tamperedCursor(),
      from: dateTimeString(),
      to: dateTimeString(),
      userId: fc.oneof(fc.constantFrom(ada.id, bob.id, ada.id.toUpperCase()), uuidLike()),
    });
    await fuzz(80, fc.tuple(queries, people()), ([query, person]) =>
      send({ method: 'GET', url: `/runs?${query}`, headers: person.headers }),
    );
  }, 60_000);

  it('answers every tampered pagination cursor with 2xx or 4xx', async () => {
    await fuzz(60, tamperedCursor(), (cursor) =>
      send({ method: 'GET', url: `/runs?cursor=${percentEncode(cursor)}`, headers: ada.headers }),
    );
  }, 60_000);

  it('answers every generated weekly statistics query (weeks, userId) with 2xx or 4xx', async () => {
    const queries = queryStrings({
      weeks: numericQueryValues(1, 52),
      userId: fc.oneof(fc.constantFrom(ada.id, bob.id), uuidLike()),
    });
    await fuzz(60, fc.tuple(queries, people()), ([query, person]) =>
      send({ method: 'GET', url: `/runs/stats/weekly?${query}`, headers: person.headers }),
    );
  }, 60_000);
});

describe('the purge of an erased account', () => {
  it('answers every generated purge (path id, token) with 2xx or 4xx and deletes nothing it refused', async () => {
    // The fixtures' ids are left out: a purge erases an account for good.
    const tokens = fc.oneof(
      fc.constant(service.tokens.service(['runs:purge'], 'users')),
      fc.constantFrom(service.tokens.service([], 'users'), admin.token, ada.token),
    );
    await fuzz(60, fc.tuple(fc.oneof(fc.constant(randomUUID()), uuidLike()), tokens), ([userId, token]) =>
      send({
        method: 'DELETE',
        url: `/internal/users/${percentEncode(userId)}/runs`,
        headers: { authorization: `Bearer ${token}` },
      }),
    );
  }, 60_000);
});

describe('any endpoint', () => {
  it.each([
    ['POST', '/runs', validRun()],
    ['PATCH', `/runs/${NOBODYS_RUN}`, { title: 'Evening run' }],
  ] as const)(
    'refuses an unknown member in a %s %s body with 400, whatever its name',
    async (method, url, valid) => {
      await fuzz(30, withUnknownMember(valid), async (body) => {
        const answer = await send({ method, url, ...withJson(body, ada) });
        expect([400, 429]).toContain(answer.status);
      });
    },
    60_000,
  );

  it('answers every generated Authorization header, content type and body with 2xx or 4xx', async () => {
    await fuzz(
      60,
      fc.tuple(
        fc.constantFrom('GET', 'POST'),
        authorizationHeader(ada.token),
        contentType(),
        fc.oneof(hostileText({ maxLength: 200 }), jsonBodies(validRun(), {})),
      ),
      ([method, authorization, type, payload]) =>
        send({
          method,
          url: '/runs',
          payload: method === 'POST' ? payload : undefined,
          headers: { authorization, ...(method === 'POST' ? { 'content-type': type } : {}) },
        }),
    );
  }, 60_000);
});
