import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bearer } from '@runnerly/security/testing';
import { ErasedAccounts } from '../src/erasure/erased-accounts.service';
import { Run } from '../src/runs/run.entity';
import { RunsTestService, type TestPerson, validRun } from './support/runs-test-service';

let service: RunsTestService;
let ada: TestPerson;
let bob: TestPerson;

beforeAll(async () => {
  service = await RunsTestService.start();
}, 60_000);

afterAll(() => service?.close());

beforeEach(async () => {
  // New people for every test: a purge erases an account for good.
  [ada, bob] = [service.user(), service.user()];
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

  it("refuses (401) new runs from the erased account's still-valid access token, and stores nothing", async () => {
    expect((await purge(ada.id, service.tokens.service(['runs:purge']))).statusCode).toBe(204);

    const late = await service.app.inject({
      method: 'POST',
      url: '/runs',
      headers: bearer(ada.token),
      payload: {
        title: 'After deletion',
        distanceMeters: 1000,
        durationSeconds: 300,
        startedAt: new Date().toISOString(),
      },
    });
    expect(late.statusCode).toBe(401);
    expect(await service.countRuns(ada.id)).toBe(0);
    expect(
      await service.db.query('SELECT user_id FROM erased_accounts WHERE user_id = $1', [ada.id]),
    ).toEqual([{ user_id: ada.id }]);
    expect((await service.createRun(bob)).title).toBeDefined();
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

describe('against writes of the same account in flight', () => {
  /** Resolves once a session of this database waits for an advisory lock (the purge, for the account's). */
  async function untilASessionWaitsForAnAdvisoryLock(): Promise<void> {
    const deadline = Date.now() + 10_000;
    const waiting = () =>
      service.db.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`,
      );
    while ((await waiting()).length === 0) {
      if (Date.now() > deadline) throw new Error('no session waited for an advisory lock within 10 s');
      await sleep(20);
    }
  }

  it('waits for a create in progress, then deletes its run too: none slips in between', async () => {
    let purging!: ReturnType<typeof purge>;
    await service.app.get(ErasedAccounts).writeFor(ada.id, async (db) => {
      purging = purge(ada.id, service.tokens.service(['runs:purge']));
      await untilASessionWaitsForAnAdvisoryLock();
      await db.insert(Run, {
        userId: ada.id,
        title: 'In flight',
        distanceMeters: 1_000,
        durationSeconds: 300,
        startedAt: new Date(),
      });
    });

    expect((await purging).statusCode).toBe(204);
    expect(await service.countRuns(ada.id)).toBe(0);
  }, 15_000);

  it('lets writes of one account go on together: a create does not wait for another in progress', async () => {
    let holding!: () => void;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const inProgress = service.app.get(ErasedAccounts).writeFor(ada.id, async () => {
      holding();
      await released;
    });
    await held;

    try {
      const created = await service.app.inject({
        method: 'POST',
        url: '/runs',
        headers: ada.headers,
        payload: validRun(),
      });
      expect(created.statusCode).toBe(201);
    } finally {
      release();
      await inProgress;
    }
    expect(await service.countRuns(ada.id)).toBe(4);
  });
});

describe('without the right token', () => {
  it.each([
    ['no token', 401, () => undefined],
    ["a user's access token", 401, () => ada.token],
    ["an admin's access token", 401, () => service.tokens.admin()],
    ['a service token without scopes', 403, () => service.tokens.service([])],
    ['a service token with other scopes', 403, () => service.tokens.service(['runs:read', 'runs:purge:all'])],
  ])('refuses %s with %i and deletes nothing', async (_case, status, token) => {
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
