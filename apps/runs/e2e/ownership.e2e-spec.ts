import { randomUUID } from 'node:crypto';
import { AuditEvent } from '@runnerly/security';
import { type RunBody, RunsTestService, type TestPerson } from './support/runs-test-service';

let service: RunsTestService;
let ada: TestPerson;
let bob: TestPerson;
let admin: TestPerson;
let adasRun: RunBody;
let bobsRun: RunBody;

beforeAll(async () => {
  service = await RunsTestService.start();
  [ada, bob, admin] = [service.user(), service.user(), service.admin()];
  adasRun = await service.createRun(ada, { title: "Ada's long run", notes: 'Private notes' });
  bobsRun = await service.createRun(bob, { title: "Bob's tempo run" });
}, 60_000);

afterAll(() => service?.close());

const inject = (...args: Parameters<RunsTestService['app']['inject']>) => service.app.inject(...args);
const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
const idsOf = (body: { items: RunBody[] }) => body.items.map((run) => run.id);

describe("another user's run", () => {
  it.each([
    ['GET', undefined],
    ['PATCH', { title: 'Hijacked' }],
    ['DELETE', undefined],
  ] as const)(
    'answers %s with 404 exactly like a missing run, and stays unchanged',
    async (method, payload) => {
      const before = await service.storedRun(adasRun.id);
      const response = await inject({ method, url: `/runs/${adasRun.id}`, headers: bob.headers, payload });
      const absent = await inject({ method, url: `/runs/${randomUUID()}`, headers: bob.headers, payload });

      expect(response.statusCode).toBe(404);
      expect(withoutRequestId(response.json())).toEqual(withoutRequestId(absent.json()));
      expect(response.body).not.toContain(adasRun.title);
      expect(await service.storedRun(adasRun.id)).toEqual(before);
    },
  );

  it('never appears in the other user’s list', async () => {
    const fresh = await service.createRun(ada);
    const response = await inject({ method: 'GET', url: '/runs?limit=100', headers: bob.headers });
    expect(response.statusCode).toBe(200);
    expect(idsOf(response.json())).toEqual([bobsRun.id]);
    expect(idsOf(response.json())).not.toContain(fresh.id);
  });

  it("is refused with 403 when a user asks for another user's list or stats by userId, and audited", async () => {
    for (const url of [`/runs?userId=${ada.id}`, `/runs/stats/weekly?userId=${ada.id}`]) {
      service.logs.clear();
      const response = await inject({ method: 'GET', url, headers: bob.headers });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ statusCode: 403, code: 'AUTH.FORBIDDEN' });
      expect(service.logs.auditEvents(AuditEvent.AccessDenied)).toEqual([
        expect.objectContaining({
          requestId: response.headers['x-request-id'],
          audit: { event: 'authz.denied', userId: bob.id, targetId: ada.id, reason: 'requires role admin' },
        }),
      ]);
    }
  });

  it('lets a user name themselves as userId, in any letter case', async () => {
    const response = await inject({
      method: 'GET',
      url: `/runs?userId=${bob.id.toUpperCase()}`,
      headers: bob.headers,
    });
    expect(response.statusCode).toBe(200);
    expect(idsOf(response.json())).toEqual([bobsRun.id]);
  });

  it('refuses a new run whose body names another owner', async () => {
    const before = await service.countRuns();
    const payload = {
      title: 'Sneaky',
      distanceMeters: 1,
      durationSeconds: 1,
      startedAt: '2024-01-01T00:00:00Z',
      userId: ada.id,
    };
    const response = await inject({ method: 'POST', url: '/runs', headers: bob.headers, payload });
    expect(response.statusCode).toBe(400);
    expect(await service.countRuns()).toBe(before);
  });
});

describe('an admin', () => {
  it("reads anyone's run", async () => {
    const response = await inject({ method: 'GET', url: `/runs/${adasRun.id}`, headers: admin.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(adasRun);
  });

  it("lists everyone's runs without userId, and one user's with it", async () => {
    const everyone = await inject({ method: 'GET', url: '/runs?limit=100', headers: admin.headers });
    expect(everyone.statusCode).toBe(200);
    expect(idsOf(everyone.json())).toEqual(expect.arrayContaining([adasRun.id, bobsRun.id]));
    expect(everyone.json<{ items: RunBody[] }>().items).toHaveLength(await service.countRuns());

    const onlyAda = await inject({
      method: 'GET',
      url: `/runs?userId=${ada.id}&limit=100`,
      headers: admin.headers,
    });
    expect(onlyAda.statusCode).toBe(200);
    expect(onlyAda.json<{ items: RunBody[] }>().items.map((run) => run.userId)).toEqual(
      Array(await service.countRuns(ada.id)).fill(ada.id),
    );
    expect(idsOf(onlyAda.json())).toContain(adasRun.id);
  });

  it("updates anyone's run without taking it over", async () => {
    const response = await inject({
      method: 'PATCH',
      url: `/runs/${adasRun.id}`,
      headers: admin.headers,
      payload: { title: 'Moderated title' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: adasRun.id, userId: ada.id, title: 'Moderated title' });
    expect(await service.storedRun(adasRun.id)).toMatchObject({ user_id: ada.id, title: 'Moderated title' });
  });

  it('owns the runs an admin creates', async () => {
    const run = await service.createRun(admin);
    expect(run.userId).toBe(admin.id);
  });

  it("deletes anyone's run", async () => {
    const response = await inject({ method: 'DELETE', url: `/runs/${bobsRun.id}`, headers: admin.headers });
    expect(response.statusCode).toBe(204);
    expect(await service.storedRun(bobsRun.id)).toBeUndefined();
    expect(await service.storedRun(adasRun.id)).toBeDefined();
  });
});
