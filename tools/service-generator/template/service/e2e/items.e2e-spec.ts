import { randomUUID } from 'node:crypto';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, RouteAccessAudit } from '@runnerly/security';
import {
  bearer,
  initTestApp,
  JwksServer,
  LogCapture,
  routesOutsideNest,
  TestKeys,
  TestTokens,
} from '@runnerly/security/testing';
import { createTestDatabase, type TestDatabase } from '@runnerly/testing';
import { create__Name__App } from '../src/__name__.app';
import { __Name__Config } from '../src/__name__.config';

// The real service, in-process, on its own database, verifying tokens with keys it fetches from a JWKS server.
const keys = TestKeys.generate();
const tokens = new TestTokens(keys);
let jwks: JwksServer;
let db: TestDatabase;
let app: NestFastifyApplication;

beforeAll(async () => {
  [jwks, db] = await Promise.all([JwksServer.start(keys.ring.jwks()), createTestDatabase('__name__')]);
  const config = loadConfig(__Name__Config, {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    JWT_ISSUER: tokens.issuer,
    JWKS_URL: jwks.url,
  });
  app = await initTestApp(await create__Name__App(config, { logDestination: new LogCapture() }));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await Promise.all([jwks?.close(), db?.drop()]);
});

const userToken = () => tokens.user({ userId: randomUUID() });
const create = (token: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/__name__/items', headers: bearer(token), payload });

describe('the items of __name__', () => {
  it('need a valid access token', async () => {
    expect((await app.inject({ method: 'GET', url: '/__name__/items' })).statusCode).toBe(401);
    expect((await create(tokens.expired(), { title: 'late' })).statusCode).toBe(401);
  });

  it("are the caller's own: another user's item is a 404, like a missing one", async () => {
    const [ada, grace] = [userToken(), userToken()];
    const item = (await create(ada, { title: 'mine' })).json<{ id: string }>();
    const read = (token: string) =>
      app.inject({ method: 'GET', url: `/__name__/items/${item.id}`, headers: bearer(token) });

    expect((await read(ada)).statusCode).toBe(200);
    expect((await read(grace)).statusCode).toBe(404);
    const list = await app.inject({ method: 'GET', url: '/__name__/items', headers: bearer(grace) });
    expect(list.json()).toEqual([]);
  });

  it.each([
    ['an undeclared field (the owner, say)', { title: 'x', ownerId: randomUUID() }],
    ['an empty title', { title: '' }],
    ['a title of the wrong type', { title: 42 }],
  ])('refuses %s with a 400 in the common error shape, storing nothing', async (_case, payload) => {
    const before = await db.query('SELECT count(*)::int AS n FROM items');
    const response = await create(userToken(), payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION.FAILED', requestId: expect.any(String) });
    expect(await db.query('SELECT count(*)::int AS n FROM items')).toEqual(before);
  });

  it('each declare whom they are for, all behind the guards', () => {
    const table = app.get(RouteAccessAudit).table();
    // In the audit's order: by path, then method.
    const expected = [
      ['GET', '/__name__/items', 'roles: user admin'],
      ['POST', '/__name__/items', 'roles: user admin'],
      ['GET', '/__name__/items/:id', 'roles: user admin'],
      ['GET', '/health/live', 'public'],
      ['GET', '/health/ready', 'public'],
    ].sort(([aMethod, aPath], [bMethod, bPath]) =>
      `${aPath} ${aMethod}`.localeCompare(`${bPath} ${bMethod}`),
    );
    expect(table.map(({ method, path, access }) => [method, path, access])).toEqual(expected);
    expect(routesOutsideNest(app)).toEqual(['GET /openapi.json']);
  });
});
