import { RunsTestService, type RunBody, type TestPerson } from './support/runs-test-service';

let service: RunsTestService;
let ada: TestPerson;
/** Ada's run ids, newest first, as the database orders them. */
let expectedOrder: string[];

const RUNS = 25;

beforeAll(async () => {
  service = await RunsTestService.start();
  ada = service.user();
  const other = service.user();
  const base = Date.UTC(2024, 0, 1);
  for (let index = 0; index < RUNS; index += 1) {
    // Runs come in pairs sharing a start time, so the id has to break ties.
    const startedAt = new Date(base + Math.floor(index / 2) * 3_600_000);
    await service.insertRun(ada.id, { startedAt, title: `Run ${index}` });
    if (index % 3 === 0) await service.insertRun(other.id, { startedAt });
  }
  const rows = await service.db.query<{ id: string }>(
    `SELECT id FROM runs WHERE user_id = $1 ORDER BY started_at DESC, id DESC`,
    [ada.id],
  );
  expectedOrder = rows.map((row) => row.id);
}, 60_000);

afterAll(() => service?.close());

interface PageBody {
  items: RunBody[];
  nextCursor: string | null;
}

async function page(query: string): Promise<PageBody> {
  const response = await service.app.inject({ method: 'GET', url: `/runs${query}`, headers: ada.headers });
  expect(response.statusCode).toBe(200);
  return response.json<PageBody>();
}

/** Follows nextCursor from the first page to the last; returns every page. */
async function walk(limit: number, filters = ''): Promise<PageBody[]> {
  const pages: PageBody[] = [];
  let cursor: string | null = null;
  do {
    const current: PageBody = await page(`?limit=${limit}${filters}${cursor ? `&cursor=${cursor}` : ''}`);
    pages.push(current);
    cursor = current.nextCursor;
  } while (cursor !== null && pages.length <= RUNS);
  return pages;
}

it('returns every run exactly once, newest first, when walking the pages', async () => {
  const pages = await walk(7);
  expect(pages.map((current) => current.items.length)).toEqual([7, 7, 7, 4]);
  expect(pages.flatMap((current) => current.items.map((run) => run.id))).toEqual(expectedOrder);
  expect(pages.at(-1)!.nextCursor).toBeNull();
  expect(pages.slice(0, -1).every((current) => typeof current.nextCursor === 'string')).toBe(true);
});

it('returns 20 runs by default', async () => {
  const first = await page('');
  expect(first.items).toHaveLength(20);
  expect(first.nextCursor).not.toBeNull();
});

it('returns everything on one page when the limit allows, with no next cursor', async () => {
  const all = await page('?limit=100');
  expect(all.items.map((run) => run.id)).toEqual(expectedOrder);
  expect(all.nextCursor).toBeNull();
});

it('ends with a null cursor when the last page is exactly full', async () => {
  const pages = await walk(5);
  expect(pages.map((current) => current.items.length)).toEqual([5, 5, 5, 5, 5]);
  expect(pages.at(-1)!.nextCursor).toBeNull();
});

it('keeps the filters while walking', async () => {
  const filters = '&from=2024-01-01T02:00:00Z&to=2024-01-01T06:00:00Z';
  const pages = await walk(3, filters);
  const ids = pages.flatMap((current) => current.items.map((run) => run.id));
  const rows = await service.db.query<{ id: string }>(
    `SELECT id FROM runs WHERE user_id = $1 AND started_at BETWEEN '2024-01-01T02:00:00Z' AND '2024-01-01T06:00:00Z' ORDER BY started_at DESC, id DESC`,
    [ada.id],
  );
  expect(ids).toEqual(rows.map((row) => row.id));
  expect(ids).toHaveLength(10);
});

it('neither repeats nor skips runs when a newer run is added between pages', async () => {
  const first = await page('?limit=10');
  await service.insertRun(ada.id, { startedAt: new Date() });
  const second = await page(`?limit=10&cursor=${first.nextCursor}`);
  expect([...first.items, ...second.items].map((run) => run.id)).toEqual(expectedOrder.slice(0, 20));
});

it("cannot be steered into another user's runs by a cursor", async () => {
  // A cursor only says where to continue; the owner condition still applies to the next page.
  const first = await page('?limit=1');
  const bob = service.user();
  const response = await service.app.inject({
    method: 'GET',
    url: `/runs?cursor=${first.nextCursor}`,
    headers: bob.headers,
  });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({ items: [], nextCursor: null });
});

it.each([
  ["JavaScript's first date (-271821)", '-271821-04-20T00:00:00.000Z'],
  ["a date before PostgreSQL's first (4713 BC)", '-005000-01-01T00:00:00.000Z'],
])('refuses a cursor holding %s with 400 (the query failed with a 500)', async (_case, at) => {
  const cursor = Buffer.from(JSON.stringify([at, expectedOrder[0]])).toString('base64url');
  const response = await service.app.inject({
    method: 'GET',
    url: `/runs?cursor=${cursor}`,
    headers: ada.headers,
  });
  expect(response.statusCode).toBe(400);
  expect(response.json()).toMatchObject({ code: 'VALIDATION.FAILED', fields: [{ field: 'cursor' }] });
});
