import { randomUUID } from 'node:crypto';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type RunBody, RunsTestService, type TestPerson, validRun } from './support/runs-test-service';

let service: RunsTestService;
let ada: TestPerson;

beforeAll(async () => {
  service = await RunsTestService.start();
  ada = service.user();
}, 60_000);

afterAll(() => service?.close());

const inject = (...args: Parameters<RunsTestService['app']['inject']>) => service.app.inject(...args);
const RUN_FIELDS = [
  'createdAt',
  'distanceMeters',
  'durationSeconds',
  'id',
  'notes',
  'startedAt',
  'title',
  'updatedAt',
  'userId',
];
const inTenMinutes = () => new Date(Date.now() + 10 * 60_000).toISOString();

describe('the lifecycle of a run', () => {
  it('creates, reads, updates and deletes a run owned by the caller', async () => {
    const created = await inject({ method: 'POST', url: '/runs', headers: ada.headers, payload: validRun() });
    expect(created.statusCode).toBe(201);
    const run = created.json<RunBody>();
    expect(Object.keys(run).sort()).toEqual(RUN_FIELDS);
    expect(run).toMatchObject({
      userId: ada.id,
      title: 'Morning run',
      notes: 'Easy pace.',
      distanceMeters: 10_000,
      durationSeconds: 3_000,
      startedAt: '2024-05-01T07:30:00.000Z',
    });
    expect(await service.storedRun(run.id)).toMatchObject({
      user_id: ada.id,
      title: 'Morning run',
      distance_meters: 10_000,
      started_at: new Date('2024-05-01T07:30:00.000Z'),
    });

    const read = await inject({ method: 'GET', url: `/runs/${run.id}`, headers: ada.headers });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(run);

    const updated = await inject({
      method: 'PATCH',
      url: `/runs/${run.id}`,
      headers: ada.headers,
      payload: {
        title: '  Evening run  ',
        notes: null,
        distanceMeters: 12_345,
        startedAt: '2024-05-01T20:00:00+02:00',
      },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      id: run.id,
      userId: ada.id,
      title: 'Evening run',
      notes: null,
      distanceMeters: 12_345,
      durationSeconds: 3_000,
      startedAt: '2024-05-01T18:00:00.000Z',
      createdAt: run.createdAt,
    });
    expect(Date.parse(updated.json<RunBody>().updatedAt)).toBeGreaterThanOrEqual(Date.parse(run.updatedAt));
    expect(await service.storedRun(run.id)).toMatchObject({
      user_id: ada.id,
      title: 'Evening run',
      notes: null,
      distance_meters: 12_345,
    });

    const deleted = await inject({ method: 'DELETE', url: `/runs/${run.id}`, headers: ada.headers });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(await service.storedRun(run.id)).toBeUndefined();

    const gone = await inject({ method: 'GET', url: `/runs/${run.id}`, headers: ada.headers });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'RESOURCE.NOT_FOUND',
      message: 'Run not found.',
      requestId: expect.any(String),
    });
    expect(
      (await inject({ method: 'DELETE', url: `/runs/${run.id}`, headers: ada.headers })).statusCode,
    ).toBe(404);
    expect(
      (
        await inject({
          method: 'PATCH',
          url: `/runs/${run.id}`,
          headers: ada.headers,
          payload: { title: 'x' },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('stores a run without notes as null, and accepts emoji and line breaks where allowed', async () => {
    const bare = await service.createRun(ada, { notes: undefined });
    expect(bare.notes).toBeNull();
    const rich = await service.createRun(ada, {
      title: 'Park run 🏃‍♀️ with Zoë',
      notes: 'Lap 1: fast\r\nLap 2: slow',
    });
    expect(rich).toMatchObject({ title: 'Park run 🏃‍♀️ with Zoë', notes: 'Lap 1: fast\r\nLap 2: slow' });
  });

  it('accepts the bounds themselves', async () => {
    const run = await service.createRun(ada, {
      title: 'x'.repeat(100),
      notes: 'y'.repeat(2000),
      distanceMeters: 1_000_000,
      durationSeconds: 604_800,
      startedAt: '1970-01-01T00:00:00Z',
    });
    expect(run).toMatchObject({
      distanceMeters: 1_000_000,
      durationSeconds: 604_800,
      startedAt: '1970-01-01T00:00:00.000Z',
    });
    const min = await service.createRun(ada, {
      title: 'x',
      distanceMeters: 1,
      durationSeconds: 1,
      startedAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(min).toMatchObject({ title: 'x', distanceMeters: 1, durationSeconds: 1 });
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const response = await inject({ method: 'GET', url: '/runs/not-a-uuid', headers: ada.headers });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'VALIDATION.FAILED',
      fields: [{ field: 'id', problems: ['id must be a UUID'] }],
    });
  });
});

describe('the HTTP surface', () => {
  it("keeps the gateway's request id and forbids caching of personal data", async () => {
    const run = await service.createRun(ada);
    const response = await inject({
      method: 'GET',
      url: `/runs/${run.id}`,
      headers: { ...ada.headers, 'x-request-id': 'gateway-req-42' },
    });
    expect(response.headers['x-request-id']).toBe('gateway-req-42');
    expect(response.headers['cache-control']).toBe('no-store');
    const missing = await inject({
      method: 'GET',
      url: `/runs/${randomUUID()}`,
      headers: { ...ada.headers, 'x-request-id': 'gateway-req-43' },
    });
    expect(missing.json()).toMatchObject({ requestId: 'gateway-req-43' });
  });

  it('documents the runs routes and leaves the internal purge route out of OpenAPI', () => {
    const document = SwaggerModule.createDocument(service.app, new DocumentBuilder().build());
    const paths = Object.keys(document.paths);
    expect(paths).toEqual(expect.arrayContaining(['/runs', '/runs/{id}', '/runs/stats/weekly']));
    expect(paths.filter((path) => path.startsWith('/internal'))).toEqual([]);
    expect(Object.keys(document.paths['/runs/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
  });

  it('refuses methods the API does not use', async () => {
    const response = await inject({ method: 'PUT', url: '/runs', headers: ada.headers, payload: validRun() });
    expect(response.statusCode).toBe(405);
  });
});

describe('validation of a new run', () => {
  const invalidBodies: [string, Record<string, unknown>, string][] = [
    ['no title', { title: undefined }, 'title'],
    ['an empty title', { title: '' }, 'title'],
    ['a title of spaces only', { title: '    ' }, 'title'],
    ['a title of 101 characters', { title: 'x'.repeat(101) }, 'title'],
    [
      'a title of 60 emoji presentation sequences (120 characters, which validator.js counted as 60: a 500)',
      { title: '\u2764\ufe0f'.repeat(60) },
      'title',
    ],
    ['a title that is a number', { title: 42 }, 'title'],
    ['a title that is null', { title: null }, 'title'],
    ['a title with a bell character', { title: 'Run\u0007' }, 'title'],
    ['a title with a line break', { title: 'Morning\nrun' }, 'title'],
    ['a title with a right-to-left override', { title: 'Run \u202Etxt.exe' }, 'title'],
    ['notes of 2001 characters', { notes: 'x'.repeat(2001) }, 'notes'],
    [
      'notes of 2001 characters counted by validator.js as 1991',
      { notes: `${'x'.repeat(1981)}${'x\ufe0f'.repeat(10)}` },
      'notes',
    ],
    ['notes with a terminal escape sequence', { notes: 'ok\u001b[31m red' }, 'notes'],
    ['notes with a NUL character', { notes: 'ok\u0000' }, 'notes'],
    ['notes that are a number', { notes: 7 }, 'notes'],
    ['no distance', { distanceMeters: undefined }, 'distanceMeters'],
    ['a distance of 0', { distanceMeters: 0 }, 'distanceMeters'],
    ['a negative distance', { distanceMeters: -5 }, 'distanceMeters'],
    ['a distance over 1,000,000 m', { distanceMeters: 1_000_001 }, 'distanceMeters'],
    ['a fractional distance', { distanceMeters: 10.5 }, 'distanceMeters'],
    ['a distance as a string', { distanceMeters: '10000' }, 'distanceMeters'],
    ['no duration', { durationSeconds: undefined }, 'durationSeconds'],
    ['a duration of 0', { durationSeconds: 0 }, 'durationSeconds'],
    ['a duration over a week', { durationSeconds: 604_801 }, 'durationSeconds'],
    ['a fractional duration', { durationSeconds: 1.5 }, 'durationSeconds'],
    ['a duration as a boolean', { durationSeconds: true }, 'durationSeconds'],
    ['no start time', { startedAt: undefined }, 'startedAt'],
    ['a start time 10 minutes in the future', { startedAt: inTenMinutes() }, 'startedAt'],
    ['a start time without a timezone', { startedAt: '2024-05-01T07:30:00' }, 'startedAt'],
    ['a start date without a time', { startedAt: '2024-05-01' }, 'startedAt'],
    ['an impossible date', { startedAt: '2023-02-29T07:30:00Z' }, 'startedAt'],
    ['a start time before 1970', { startedAt: '1969-12-31T23:59:59Z' }, 'startedAt'],
    ['a start time in words', { startedAt: 'yesterday' }, 'startedAt'],
    ['a start time as epoch milliseconds', { startedAt: 1_714_548_600_000 }, 'startedAt'],
    ['a userId (the owner comes from the token)', { userId: randomUUID() }, 'userId'],
    ['an id', { id: randomUUID() }, 'id'],
    ['a createdAt', { createdAt: '2024-05-01T07:30:00Z' }, 'createdAt'],
  ];

  it.each(invalidBodies)(
    'refuses %s with 400, names the field and stores nothing',
    async (_case, fields, field) => {
      const before = await service.countRuns();
      const response = await inject({
        method: 'POST',
        url: '/runs',
        headers: ada.headers,
        payload: { ...validRun(), ...fields },
      });
      expect(response.statusCode).toBe(400);
      const body = response.json<{ code: string; fields: { field: string; problems: string[] }[] }>();
      expect(body.code).toBe('VALIDATION.FAILED');
      expect(body.fields.map((problem) => problem.field)).toEqual([field]);
      expect(await service.countRuns()).toBe(before);
    },
  );

  it('does not echo the submitted values in validation errors', async () => {
    const response = await inject({
      method: 'POST',
      url: '/runs',
      headers: ada.headers,
      payload: { ...validRun(), title: 'x'.repeat(101) + 'SECRET-MARKER' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('SECRET-MARKER');
  });

  const invalidPayloads: [string, string, string][] = [
    ['an array of runs', JSON.stringify([validRun()]), 'application/json'],
    ['a JSON string', JSON.stringify('a run'), 'application/json'],
    ['a JSON number', '42', 'application/json'],
    ['JSON null', 'null', 'application/json'],
    ['malformed JSON', '{"title": "Morning run",', 'application/json'],
    ['an empty body', '', 'application/json'],
  ];

  it.each(invalidPayloads)(
    'refuses %s as the body with 400 and stores nothing',
    async (_case, payload, contentType) => {
      const before = await service.countRuns();
      const response = await inject({
        method: 'POST',
        url: '/runs',
        headers: { ...ada.headers, 'content-type': contentType },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        statusCode: 400,
        code: expect.stringMatching(/^(VALIDATION\.FAILED|REQUEST\.MALFORMED)$/),
      });
      expect(await service.countRuns()).toBe(before);
    },
  );

  it('refuses a body that is not JSON with 415', async () => {
    const response = await inject({
      method: 'POST',
      url: '/runs',
      headers: { ...ada.headers, 'content-type': 'text/plain' },
      payload: 'title=Morning run',
    });
    expect(response.statusCode).toBe(415);
  });
});

describe('the database', () => {
  // Defence in depth: a write that skipped validation (a bug, a script) still cannot store these.
  it.each([
    ['a distance of 0', { distance_meters: 0 }],
    ['a distance over 1,000,000 m', { distance_meters: 1_000_001 }],
    ['a duration of 0', { duration_seconds: 0 }],
    ['a duration over a week', { duration_seconds: 604_801 }],
    ['an empty title', { title: '' }],
    ['a start before 1970', { started_at: '1969-12-31T23:59:59Z' }],
  ])('refuses a run with %s by a CHECK constraint', async (_case, columns) => {
    const row = {
      user_id: ada.id,
      title: 'Direct insert',
      distance_meters: 1,
      duration_seconds: 1,
      started_at: '2024-01-01T00:00:00Z',
      ...columns,
    };
    await expect(
      service.db.query(
        'INSERT INTO runs (user_id, title, distance_meters, duration_seconds, started_at) VALUES ($1, $2, $3, $4, $5)',
        [row.user_id, row.title, row.distance_meters, row.duration_seconds, row.started_at],
      ),
    ).rejects.toThrow(/violates check constraint/);
  });
});

describe('validation of a change to a run', () => {
  let run: RunBody;

  beforeAll(async () => {
    run = await service.createRun(ada);
  });

  const invalidChanges: [string, Record<string, unknown>, string][] = [
    ['an empty body', {}, 'body'],
    ['a null title (a required field cannot be cleared)', { title: null }, 'title'],
    ['a null distance', { distanceMeters: null }, 'distanceMeters'],
    ['a null start time', { startedAt: null }, 'startedAt'],
    ['an empty title', { title: ' ' }, 'title'],
    ['a distance over 1,000,000 m', { distanceMeters: 1_000_001 }, 'distanceMeters'],
    ['a fractional duration', { durationSeconds: 60.5 }, 'durationSeconds'],
    ['a start time 10 minutes in the future', { startedAt: inTenMinutes() }, 'startedAt'],
    ['notes with a control character', { notes: 'a\u0008b' }, 'notes'],
    ['a new owner', { userId: randomUUID() }, 'userId'],
    ['a new id', { id: randomUUID() }, 'id'],
  ];

  it.each(invalidChanges)(
    'refuses %s with 400 and leaves the run unchanged',
    async (_case, payload, field) => {
      const before = await service.storedRun(run.id);
      const response = await inject({
        method: 'PATCH',
        url: `/runs/${run.id}`,
        headers: ada.headers,
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ fields: { field: string }[] }>().fields.map((problem) => problem.field)).toEqual(
        [field],
      );
      expect(await service.storedRun(run.id)).toEqual(before);
    },
  );

  it('refuses an array as the body', async () => {
    const response = await inject({
      method: 'PATCH',
      url: `/runs/${run.id}`,
      headers: ada.headers,
      payload: [{ title: 'x' }],
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('listing with filters', () => {
  let runner: TestPerson;
  const starts = [
    '2024-03-01T10:00:00.000Z',
    '2024-03-02T10:00:00.000Z',
    '2024-03-03T10:00:00.000Z',
    '2024-03-04T10:00:00.000Z',
  ];

  beforeAll(async () => {
    runner = service.user();
    for (const startedAt of starts) await service.createRun(runner, { startedAt });
  });

  const list = (query: string) => inject({ method: 'GET', url: `/runs${query}`, headers: runner.headers });

  it('lists the newest run first', async () => {
    const response = await list('');
    expect(response.statusCode).toBe(200);
    expect(response.json<{ items: RunBody[] }>().items.map((run) => run.startedAt)).toEqual(
      [...starts].reverse(),
    );
    expect(response.json()).toMatchObject({ nextCursor: null });
  });

  it('keeps runs started from `from` to `to`, both included', async () => {
    const response = await list('?from=2024-03-02T10:00:00Z&to=2024-03-03T11:00:00%2B01:00');
    expect(response.json<{ items: RunBody[] }>().items.map((run) => run.startedAt)).toEqual([
      starts[2],
      starts[1],
    ]);
  });

  it('accepts from equal to to', async () => {
    const response = await list(`?from=${starts[0]}&to=${starts[0]}`);
    expect(response.json<{ items: RunBody[] }>().items.map((run) => run.startedAt)).toEqual([starts[0]]);
  });

  const invalidQueries: [string, string, string][] = [
    ['a limit of 0', '?limit=0', 'limit'],
    ['a limit of 101', '?limit=101', 'limit'],
    ['a fractional limit', '?limit=2.5', 'limit'],
    ['a limit in words', '?limit=ten', 'limit'],
    ['two limits', '?limit=1&limit=2', 'limit'],
    ['a cursor with foreign characters', '?cursor=abc%24def', 'cursor'],
    [
      'a cursor that decodes to nothing of ours',
      `?cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`,
      'cursor',
    ],
    ['a cursor of random letters', '?cursor=bm90LWpzb24', 'cursor'],
    ['a from that is not a date', '?from=last-week', 'from'],
    ['a to without a timezone', '?to=2024-03-01T10:00:00', 'to'],
    ['from after to', '?from=2024-03-04T00:00:00Z&to=2024-03-01T00:00:00Z', 'to'],
    ['a userId that is not a UUID', '?userId=ada', 'userId'],
    ['an unknown parameter', '?sort=title', 'sort'],
  ];

  it.each(invalidQueries)('refuses %s with 400 naming the parameter', async (_case, query, field) => {
    const response = await list(query);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION.FAILED', fields: [{ field }] });
  });
});
