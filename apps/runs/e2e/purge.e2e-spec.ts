import { randomUUID } from 'node:crypto';
import { bearer } from '@runnerly/security/testing';
import { RunsTestService, type TestPerson } from './support/runs-test-service';

let service: RunsTestService;
let ada: TestPerson;
let bob: TestPerson;

beforeAll(async () => {
  service = await RunsTestService.start();
  [ada, bob] = [service.user(), service.user()];
}, 60_000);

afterAll(() => service?.close());

beforeEach(async () => {
  await service.db.query('DELETE FROM runs');
  for (let index = 0; index < 3; index += 1) await service.createRun(ada, { title: `Ada ${index}` });
  for (let index = 0; index < 2; index += 1) await service.createRun(bob, { title: `Bob ${index}` });
  service.logs.clear();
});

const purge = (userId: string, token?: string) =>
  service.app.inject({
    method: 'DELETE',
    url: `/internal/users/${userId}/runs`,
    headers: token ? bearer(token) : {},
  });

describe('with a service token carrying runs:purge', () => {
  it("deletes every run of that user and no one else's, and audits who asked", async () => {
    const response = await purge(ada.id, service.tokens.service(['runs:purge'], 'users'));
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(await service.countRuns(ada.id)).toBe(0);
    expect(await service.countRuns(bob.id)).toBe(2);
    expect(service.logs.auditEvents().map((line) => line.audit)).toEqual([
      { event: 'runs.purged', targetId: ada.id, clientId: 'users', runs: 3 },
    ]);
  });

  it('answers 204 again when there is nothing left to delete (idempotent)', async () => {
    const token = service.tokens.service(['runs:purge']);
    expect((await purge(ada.id, token)).statusCode).toBe(204);
    expect((await purge(ada.id, token)).statusCode).toBe(204);
    expect((await purge(randomUUID(), token)).statusCode).toBe(204);
    expect(await service.countRuns()).toBe(2);
    expect(service.logs.auditEvents().map((line) => line.audit?.runs)).toEqual([3, 0, 0]);
  });

  it('accepts a token with more scopes than runs:purge', async () => {
    expect((await purge(ada.id, service.tokens.service(['runs:read', 'runs:purge']))).statusCode).toBe(204);
  });

  it('refuses a userId that is not a UUID with 400', async () => {
    const response = await purge('everyone', service.tokens.service(['runs:purge']));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION.FAILED', fields: [{ field: 'userId' }] });
    expect(await service.countRuns()).toBe(5);
  });
});

describe('without the right token', () => {
  it.each([
    ['no token', () => undefined, 401],
    ["a user's access token", () => ada.token, 401],
    ["an admin's access token", () => service.tokens.admin(), 401],
    ['a service token without scopes', () => service.tokens.service([]), 403],
    ['a service token with other scopes', () => service.tokens.service(['runs:read', 'runs:purge:all']), 403],
  ])('refuses %s with %i and deletes nothing', async (_case, token, status) => {
    const response = await purge(ada.id, token());
    expect(response.statusCode).toBe(status);
    expect(await service.countRuns()).toBe(5);
  });

  it('audits a service that lacked the scope', async () => {
    await purge(ada.id, service.tokens.service([], 'nosy-service'));
    expect(service.logs.auditEvents().map((line) => line.audit)).toContainEqual(
      expect.objectContaining({ event: 'authz.denied', clientId: 'nosy-service' }),
    );
  });

  it('never accepts a purge token on user routes', async () => {
    const token = service.tokens.service(['runs:purge']);
    for (const url of ['/runs', '/runs/stats/weekly']) {
      expect((await service.app.inject({ method: 'GET', url, headers: bearer(token) })).statusCode).toBe(401);
    }
  });
});
