import jwt from 'jsonwebtoken';
import { AuditEvent, ErrorCode } from '@runnerly/security';
import { type LoggedInUser, UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

const sessionOf = (user: LoggedInUser) => (jwt.decode(user.accessToken) as { sid: string }).sid;
const stillWorks = async (session: LoggedInUser) => ({
  access: (await users.get('/users/me', session.accessToken)).statusCode,
  refresh: (await users.post('/auth/refresh', { refreshToken: session.refreshToken })).statusCode,
});

describe('GET /users/me/sessions', () => {
  it('lists the live sessions, the most recently used first, and marks the one asking', async () => {
    const laptop = await users.registerAndLogin();
    const phone = await users.login(laptop);
    await users.post('/auth/logout', { refreshToken: (await users.login(laptop)).refreshToken });

    const response = await users.get('/users/me/sessions', laptop.accessToken);

    expect(response.statusCode).toBe(200);
    const { items } = response.json<{ items: Record<string, unknown>[] }>();
    expect(items).toEqual([
      {
        id: sessionOf(phone),
        client: 'lightMyRequest',
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
        current: false,
      },
      {
        id: sessionOf(laptop),
        client: 'lightMyRequest',
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
        current: true,
      },
    ]);
  });

  it('describes each session by the User-Agent its client sent at login, without control characters and bounded', async () => {
    const user = await users.register();
    const loginFrom = async (userAgent: string) => {
      const credentials = { email: user.email, password: user.password };
      const response = await users.post('/auth/login', credentials, undefined, { 'user-agent': userAgent });
      return response.json<{ accessToken: string }>().accessToken;
    };
    await loginFrom(`Runnerly-Android/3.2 \x1b[2J\x1b[Hsession of the admin ${'x'.repeat(200)}`);
    const accessToken = await loginFrom('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0');

    const { items } = (await users.get('/users/me/sessions', accessToken)).json<{
      items: { client: string }[];
    }>();
    expect(items.map((session) => session.client)).toEqual([
      'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0',
      expect.stringMatching(/^Runnerly-Android\/3\.2 \[2J \[Hsession of the admin x+$/),
    ]);
    expect(items[1]!.client).toHaveLength(120);
  });

  it('shows a refresh as the last use', async () => {
    const user = await users.registerAndLogin();
    const before = users.get('/users/me/sessions', user.accessToken);
    const { lastUsedAt: loggedIn } = (await before).json<{ items: { lastUsedAt: string }[] }>().items[0]!;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refreshed = await users.post('/auth/refresh', { refreshToken: user.refreshToken });
    const { accessToken } = refreshed.json<{ accessToken: string }>();

    const [session] = (await users.get('/users/me/sessions', accessToken)).json<{
      items: { lastUsedAt: string; createdAt: string }[];
    }>().items;
    expect(Date.parse(session!.lastUsedAt)).toBeGreaterThan(Date.parse(loggedIn));
    expect(session!.createdAt).not.toBe(session!.lastUsedAt);
  });

  it("never lists another user's sessions", async () => {
    const ann = await users.registerAndLogin();
    const bob = await users.registerAndLogin();

    const { items } = (await users.get('/users/me/sessions', ann.accessToken)).json<{
      items: { id: string }[];
    }>();
    expect(items.map((session) => session.id)).toEqual([sessionOf(ann)]);
    expect(items.map((session) => session.id)).not.toContain(sessionOf(bob));
  });
});

describe('DELETE /users/me/sessions/:id', () => {
  it('ends that session, its access and refresh tokens, and no other', async () => {
    const laptop = await users.registerAndLogin();
    const lostPhone = await users.login(laptop);

    expect(
      (await users.delete(`/users/me/sessions/${sessionOf(lostPhone)}`, laptop.accessToken)).statusCode,
    ).toBe(204);

    expect(await stillWorks(lostPhone)).toEqual({ access: 401, refresh: 401 });
    expect((await users.get('/users/me', laptop.accessToken)).statusCode).toBe(200);
    expect(users.logs.auditEvents(AuditEvent.LoggedOut).at(-1)?.audit).toMatchObject({
      userId: laptop.id,
      targetId: sessionOf(lostPhone),
    });
  });

  it("answers another user's session with 404, exactly like a missing one, and ends nothing", async () => {
    const ann = await users.registerAndLogin();
    const bob = await users.registerAndLogin();

    const foreign = await users.delete(`/users/me/sessions/${sessionOf(bob)}`, ann.accessToken);
    const missing = await users.delete(
      '/users/me/sessions/00000000-0000-4000-8000-000000000000',
      ann.accessToken,
    );

    expect(foreign.statusCode).toBe(404);
    const withoutRequestId = ({ requestId: _id, ...body }: Record<string, unknown>) => body;
    expect(withoutRequestId(foreign.json())).toEqual(withoutRequestId(missing.json()));
    expect(foreign.json()).toMatchObject({ code: ErrorCode.NotFound });
    expect(await stillWorks(bob)).toEqual({ access: 200, refresh: 200 });
  });

  it('refuses an id that is not a UUID with 400', async () => {
    const user = await users.registerAndLogin();
    expect((await users.delete('/users/me/sessions/1%20OR%201=1', user.accessToken)).statusCode).toBe(400);
  });
});

describe('DELETE /users/me/sessions/others', () => {
  it('ends every session of the account but the one asking', async () => {
    const current = await users.registerAndLogin();
    const others = [await users.login(current), await users.login(current)];

    expect((await users.delete('/users/me/sessions/others', current.accessToken)).statusCode).toBe(204);

    for (const other of others) expect(await stillWorks(other)).toEqual({ access: 401, refresh: 401 });
    expect((await users.get('/users/me', current.accessToken)).statusCode).toBe(200);
    const { items } = (await users.get('/users/me/sessions', current.accessToken)).json<{
      items: { id: string }[];
    }>();
    expect(items.map((session) => session.id)).toEqual([sessionOf(current)]);
  });
});
