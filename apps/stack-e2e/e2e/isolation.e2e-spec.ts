import { ADMIN, Stack } from './support/stack';
import { type Account, GatewayClient } from '@runnerly/testing';

let stack: Stack;
let api: GatewayClient;
let ada: Account;
let bob: Account;
let adasRun: { id: string };

beforeAll(async () => {
  stack = await Stack.start();
  api = new GatewayClient(stack.gatewayUrl);
  [ada, bob] = await Promise.all([api.signUp('ada'), api.signUp('bob')]);
  adasRun = await api.createRun(ada.accessToken, { title: "Ada's long run", distanceMeters: 21_097 });
  await api.createRun(bob.accessToken, { title: "Bob's run" });
}, 120_000);

afterAll(() => stack?.stop());

const stored = async () =>
  (
    await stack.database('runs').query('SELECT title, distance_meters FROM runs WHERE id = $1', [adasRun.id])
  )[0];

describe("another user cannot reach Ada's run (OWASP API1)", () => {
  it.each([
    ['read it', 'GET', undefined],
    ['change it', 'PATCH', { title: 'mine now' }],
    ['delete it', 'DELETE', undefined],
  ])('Bob cannot %s: 404, exactly as for a run that does not exist', async (_case, method, json) => {
    const foreign = await api.call(method, `/api/runs/${adasRun.id}`, { token: bob.accessToken, json });
    const missing = await api.call(method, `/api/runs/00000000-0000-4000-8000-000000000000`, {
      token: bob.accessToken,
      json,
    });

    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, requestId: undefined }).toEqual({ ...missing.body, requestId: undefined });
    expect(await stored()).toEqual({ title: "Ada's long run", distance_meters: 21_097 });
  });

  it("never lists Ada's runs to Bob, whatever the filter", async () => {
    for (const query of ['', '?limit=100', '?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z']) {
      const list = await api.call<{ items: { userId: string }[] }>('GET', `/api/runs${query}`, {
        token: bob.accessToken,
      });
      expect(list.status).toBe(200);
      expect(list.body.items.every((item) => item.userId === bob.id)).toBe(true);
    }
  });

  it('refuses Bob naming Ada as userId with 403, in the list and in the stats', async () => {
    expect((await api.call('GET', `/api/runs?userId=${ada.id}`, { token: bob.accessToken })).status).toBe(
      403,
    );
    expect(
      (await api.call('GET', `/api/runs/stats/weekly?userId=${ada.id}`, { token: bob.accessToken })).status,
    ).toBe(403);
  });

  it('does not let Bob create a run owned by Ada', async () => {
    const response = await api.call('POST', '/api/runs', {
      token: bob.accessToken,
      json: {
        title: 'planted',
        distanceMeters: 1000,
        durationSeconds: 300,
        startedAt: new Date().toISOString(),
        userId: ada.id,
      },
    });
    expect(response.status).toBe(400);
    expect(await stack.database('runs').query(`SELECT id FROM runs WHERE title = 'planted'`)).toEqual([]);
  });
});

describe('an admin', () => {
  it("can read, list and change any user's runs", async () => {
    const admin = await api.logIn(ADMIN.email, ADMIN.password);
    expect((await api.call('GET', `/api/runs/${adasRun.id}`, { token: admin.accessToken })).status).toBe(200);
    const list = await api.call<{ items: { userId: string }[] }>('GET', `/api/runs?userId=${ada.id}`, {
      token: admin.accessToken,
    });
    expect(list.body.items.map((item) => item.userId)).toEqual([ada.id]);
    expect((await api.call('GET', '/api/users', { token: admin.accessToken })).status).toBe(200);
  });

  it('is the only one who can use the admin routes', async () => {
    expect((await api.call('GET', '/api/users', { token: bob.accessToken })).status).toBe(403);
    expect(
      (
        await api.call('PATCH', `/api/users/${bob.id}/role`, {
          token: bob.accessToken,
          json: { role: 'admin' },
        })
      ).status,
    ).toBe(403);
    const [row] = await stack.database('users').query('SELECT role FROM accounts WHERE id = $1', [bob.id]);
    expect(row).toEqual({ role: 'user' });
  });
});
