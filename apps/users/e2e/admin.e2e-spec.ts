import { randomUUID } from 'node:crypto';
import { AuditEvent, ErrorCode } from '@runnerly/security';
import { type LoggedInUser, PASSWORD, UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;
let admin: LoggedInUser;

beforeAll(async () => {
  users = await UsersTestApp.start();
  admin = await users.admin();
}, 60_000);

afterAll(() => users?.close());

describe('a user (not an admin)', () => {
  it.each([
    ['list accounts', 'GET', '/users'],
    ['change a role', 'PATCH', `/users/${randomUUID()}/role`],
    ["end another account's sessions", 'DELETE', `/users/${randomUUID()}/sessions`],
  ] as const)('cannot %s: 403, audited', async (_case, method, url) => {
    const user = await users.registerAndLogin();
    const response = await users.app.inject({
      method,
      url,
      payload: method === 'PATCH' ? { role: 'admin' } : undefined,
      headers: { authorization: `Bearer ${user.accessToken}` },
    });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: ErrorCode.Forbidden });
    expect(users.logs.auditEvents(AuditEvent.AccessDenied).at(-1)?.audit).toMatchObject({ userId: user.id });
  });

  it('cannot make itself admin with a role claim signed by another key', async () => {
    const forged = users.tokens.signed(users.tokens.claims('user', { role: 'admin' }), {
      privateKey: users.keys.foreignPrivateKey,
    });
    expect((await users.get('/users', forged)).statusCode).toBe(401);
  });
});

describe('an admin', () => {
  it('lists accounts page by page, without password hashes', async () => {
    for (let i = 0; i < 3; i++) await users.register();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await users.get(url, admin.accessToken);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toMatch(/argon2|passwordHash|password_hash/);
      const body: { items: { id: string }[]; nextCursor: string | null } = page.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);

    const [{ n }] = await users.db.query<{ n: string }>(`SELECT count(*) AS n FROM accounts`);
    expect(seen).toHaveLength(Number(n));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it.each([
    ['limit=0', 400],
    ['limit=101', 400],
    ['limit=ten', 400],
    ['cursor=not-a-cursor', 400],
    ['cursor=' + Buffer.from('["x","y"]').toString('base64url'), 400],
  ])('answers ?%s with %i', async (query, status) => {
    expect((await users.get(`/users?${query}`, admin.accessToken)).statusCode).toBe(status);
  });

  it("changes another account's role, and that account's sessions end", async () => {
    const target = await users.registerAndLogin();
    const response = await users.patch(`/users/${target.id}/role`, { role: 'admin' }, admin.accessToken);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: target.id, role: 'admin' });
    expect((await users.post('/auth/refresh', { refreshToken: target.refreshToken })).statusCode).toBe(401);
    const relogin = await users.login({ ...target, password: PASSWORD });
    expect((await users.get('/users', relogin.accessToken)).statusCode).toBe(200);
    expect(users.logs.auditEvents(AuditEvent.RoleChanged).at(-1)?.audit).toMatchObject({
      userId: admin.id,
      targetId: target.id,
      role: 'admin',
    });
  });

  it("ends every session of another account: its access and refresh tokens stop, and the admin's do not", async () => {
    const target = await users.registerAndLogin();
    const otherDevice = await users.login(target);

    const response = await users.delete(`/users/${target.id}/sessions`, admin.accessToken);

    expect(response.statusCode).toBe(204);
    for (const session of [target, otherDevice]) {
      expect((await users.get('/users/me', session.accessToken)).statusCode).toBe(401);
      expect((await users.post('/auth/refresh', { refreshToken: session.refreshToken })).statusCode).toBe(
        401,
      );
    }
    expect((await users.get('/users', admin.accessToken)).statusCode).toBe(200);
    expect(
      await users.db.query(`SELECT DISTINCT revoked_reason FROM sessions WHERE account_id = $1`, [target.id]),
    ).toEqual([{ revoked_reason: 'ended-by-admin' }]);
    expect(users.logs.auditEvents(AuditEvent.LoggedOut).at(-1)?.audit).toMatchObject({
      userId: admin.id,
      targetId: target.id,
      reason: 'every session, by an admin',
    });
    expect((await users.login({ ...target, password: PASSWORD })).accessToken).toEqual(expect.any(String));
  });

  it('cannot change its own role (409), so the last admin cannot lock everyone out', async () => {
    expect(
      (await users.patch(`/users/${admin.id}/role`, { role: 'user' }, admin.accessToken)).statusCode,
    ).toBe(409);
  });

  it.each([
    ['an unknown id', () => `/users/${randomUUID()}/role`, { role: 'user' }, 404],
    ['a malformed id', () => '/users/not-a-uuid/role', { role: 'user' }, 400],
    ['an unknown role', () => `/users/${admin.id}/role`, { role: 'superuser' }, 400],
  ])('answers %s with the right status', async (_case, url, body, status) => {
    expect((await users.patch(url(), body, admin.accessToken)).statusCode).toBe(status);
  });

  it.each([
    ['an unknown id', () => `/users/${randomUUID()}/sessions`, 404],
    ['a malformed id', () => '/users/not-a-uuid/sessions', 400],
  ])('answers the end of the sessions of %s with the right status', async (_case, url, status) => {
    expect((await users.delete(url(), admin.accessToken)).statusCode).toBe(status);
  });
});
