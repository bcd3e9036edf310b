import { RunsTestService, type TestPerson } from './support/runs-test-service';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** Monday 00:00 UTC of the ISO week `date` falls in. */
function mondayOf(date: Date): Date {
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  return new Date(midnight - ((date.getUTCDay() + 6) % 7) * DAY_MS);
}

const thisMonday = mondayOf(new Date());
const weeksAgo = (weeks: number, plusMs = 0) => new Date(thisMonday.getTime() - weeks * WEEK_MS + plusMs);
const dayOf = (date: Date) => date.toISOString().slice(0, 10);
const zeros = (weekStart: string) => ({ weekStart, runs: 0, distanceMeters: 0, durationSeconds: 0 });

interface WeekBody {
  weekStart: string;
  runs: number;
  distanceMeters: number;
  durationSeconds: number;
}

let service: RunsTestService;
let ada: TestPerson;
let bob: TestPerson;
let admin: TestPerson;

beforeAll(async () => {
  service = await RunsTestService.start();
  [ada, bob, admin] = [service.user(), service.user(), service.admin()];

  // This week: one run at the very first millisecond of Monday, one a minute later.
  await service.insertRun(ada.id, { startedAt: weeksAgo(0), distanceMeters: 5_000, durationSeconds: 1_500 });
  await service.insertRun(ada.id, {
    startedAt: weeksAgo(0, 60_000),
    distanceMeters: 7_000,
    durationSeconds: 2_000,
  });
  // Last week: the last millisecond of Sunday (UTC), and 01:30 on Monday in UTC+2, which is still Sunday in UTC.
  await service.insertRun(ada.id, {
    startedAt: weeksAgo(0, -1),
    distanceMeters: 3_000,
    durationSeconds: 900,
  });
  await service.createRun(ada, {
    startedAt: `${dayOf(thisMonday)}T01:30:00+02:00`,
    distanceMeters: 4_000,
    durationSeconds: 1_000,
  });
  // Three weeks ago, on a Wednesday.
  await service.insertRun(ada.id, {
    startedAt: weeksAgo(3, 2 * DAY_MS + 12 * 3_600_000),
    distanceMeters: 10_000,
    durationSeconds: 3_600,
  });
  // Twelve weeks ago: outside the default twelve weeks (this one and the eleven before it).
  await service.insertRun(ada.id, {
    startedAt: weeksAgo(12, DAY_MS),
    distanceMeters: 21_097,
    durationSeconds: 7_200,
  });
  // Someone else's run this week.
  await service.insertRun(bob.id, {
    startedAt: weeksAgo(0, 3_600_000),
    distanceMeters: 42_195,
    durationSeconds: 10_800,
  });
}, 60_000);

afterAll(() => service?.close());

async function weekly(person: TestPerson, query = ''): Promise<WeekBody[]> {
  const response = await service.app.inject({
    method: 'GET',
    url: `/runs/stats/weekly${query}`,
    headers: person.headers,
  });
  expect(response.statusCode).toBe(200);
  expect(Object.keys(response.json())).toEqual(['weeks']);
  return response.json<{ weeks: WeekBody[] }>().weeks;
}

/** Ada's expected totals for the last `count` weeks, oldest first. */
function adasWeeks(count: number): WeekBody[] {
  const totals: Record<number, Omit<WeekBody, 'weekStart'>> = {
    0: { runs: 2, distanceMeters: 12_000, durationSeconds: 3_500 },
    1: { runs: 2, distanceMeters: 7_000, durationSeconds: 1_900 },
    3: { runs: 1, distanceMeters: 10_000, durationSeconds: 3_600 },
    12: { runs: 1, distanceMeters: 21_097, durationSeconds: 7_200 },
  };
  return Array.from({ length: count }, (_unused, index) => {
    const ago = count - 1 - index;
    const weekStart = dayOf(weeksAgo(ago));
    return totals[ago] ? { weekStart, ...totals[ago] } : zeros(weekStart);
  });
}

it("sums the caller's runs per ISO week (Monday, UTC) for the last 12 weeks, oldest first, zero weeks included", async () => {
  const weeks = await weekly(ada);
  expect(weeks).toHaveLength(12);
  expect(weeks).toEqual(adasWeeks(12));
  expect(weeks.at(-1)!.weekStart).toBe(dayOf(thisMonday));
  expect(new Date(`${weeks[0]!.weekStart}T00:00:00Z`).getUTCDay()).toBe(1);
});

it.each([1, 4, 13, 52])('returns exactly the last %i weeks when asked', async (count) => {
  expect(await weekly(ada, `?weeks=${count}`)).toEqual(adasWeeks(count));
});

it('counts only the caller’s runs', async () => {
  const weeks = await weekly(bob, '?weeks=2');
  expect(weeks).toEqual([
    zeros(dayOf(weeksAgo(1))),
    { weekStart: dayOf(thisMonday), runs: 1, distanceMeters: 42_195, durationSeconds: 10_800 },
  ]);
});

it('returns all zeros for someone without runs', async () => {
  const weeks = await weekly(service.user(), '?weeks=3');
  expect(weeks).toEqual([2, 1, 0].map((ago) => zeros(dayOf(weeksAgo(ago)))));
});

it("gives an admin one user's weeks with userId, and everyone's without", async () => {
  expect(await weekly(admin, `?userId=${ada.id}`)).toEqual(adasWeeks(12));
  const everyone = await weekly(admin, '?weeks=1');
  expect(everyone).toEqual([
    {
      weekStart: dayOf(thisMonday),
      runs: 3,
      distanceMeters: 12_000 + 42_195,
      durationSeconds: 3_500 + 10_800,
    },
  ]);
});

it("refuses a user's request for another user's weeks with 403", async () => {
  const response = await service.app.inject({
    method: 'GET',
    url: `/runs/stats/weekly?userId=${ada.id}`,
    headers: bob.headers,
  });
  expect(response.statusCode).toBe(403);
});

it.each([
  ['0 weeks', '?weeks=0', 'weeks'],
  ['53 weeks', '?weeks=53', 'weeks'],
  ['a negative number of weeks', '?weeks=-1', 'weeks'],
  ['a fractional number of weeks', '?weeks=1.5', 'weeks'],
  ['weeks in words', '?weeks=twelve', 'weeks'],
  ['an empty weeks', '?weeks=', 'weeks'],
  ['a userId that is not a UUID', '?userId=1', 'userId'],
  ['an unknown parameter', '?from=2024-01-01T00:00:00Z', 'from'],
])('refuses %s with 400 naming the parameter', async (_case, query, field) => {
  const response = await service.app.inject({
    method: 'GET',
    url: `/runs/stats/weekly${query}`,
    headers: ada.headers,
  });
  expect(response.statusCode).toBe(400);
  expect(response.json()).toMatchObject({ code: 'VALIDATION.FAILED', fields: [{ field }] });
});
