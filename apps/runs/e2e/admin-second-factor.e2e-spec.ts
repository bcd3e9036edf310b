import { ErrorCode } from '@runnerly/security';
import { type RunBody, RunsTestService, type TestPerson } from './support/runs-test-service';

// Admin powers need a second factor here, as in production (where it is the default).
let service: RunsTestService;
let ada: TestPerson;
let adasRun: RunBody;

beforeAll(async () => {
  service = await RunsTestService.start({ ADMIN_SECOND_FACTOR_REQUIRED: 'true' });
  ada = service.user();
  adasRun = await service.createRun(ada);
}, 60_000);

afterAll(() => service?.close());

const get = (url: string, person: TestPerson) =>
  service.app.inject({ method: 'GET', url, headers: person.headers });

describe('an admin whose session entered no second factor', () => {
  const admin = () => service.admin(undefined, { secondFactor: false });

  it("cannot read another user's run: it is a 404, as for any user", async () => {
    expect((await get(`/runs/${adasRun.id}`, admin())).statusCode).toBe(404);
  });

  it("is told why when naming another user's id, and audited", async () => {
    const response = await get(`/runs?userId=${ada.id}`, admin());

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: ErrorCode.SecondFactorRequired });
    expect(service.logs.auditEvents().at(-1)?.audit).toMatchObject({
      event: 'authz.denied',
      targetId: ada.id,
      reason: 'role admin needs a second factor in the session',
    });
  });

  it('lists only its own runs', async () => {
    const response = await get('/runs', admin());
    expect(response.json<{ items: RunBody[] }>().items).toEqual([]);
  });
});

describe('an admin whose session entered a second factor', () => {
  it("reads another user's run", async () => {
    const response = await get(`/runs/${adasRun.id}`, service.admin(undefined, { secondFactor: true }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(adasRun);
  });
});
