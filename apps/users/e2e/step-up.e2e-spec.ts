import jwt from 'jsonwebtoken';
import { AuditEvent, ErrorCode } from '@runnerly/security';
import { PASSWORD, UsersTestApp } from './support/users-test-app';

const RECENT_AUTHENTICATION_SECONDS = 120;

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start({ RECENT_AUTHENTICATION_SECONDS: String(RECENT_AUTHENTICATION_SECONDS) });
}, 60_000);

afterAll(() => users?.close());

const claimsOf = (token: string) => jwt.decode(token) as { sid: string; auth_time: number };

const accountExists = async (id: string) =>
  (await users.db.query(`SELECT 1 FROM accounts WHERE id = $1`, [id])).length === 1;

describe('the access token', () => {
  it('carries the login time as auth_time, and a refresh keeps it: a refreshed token is no fresher than its login', async () => {
    const user = await users.registerAndLogin();
    const loggedIn = claimsOf(user.accessToken).auth_time;
    expect(Math.abs(loggedIn - Date.now() / 1000)).toBeLessThan(5);

    const later = await users.anHourAfterLogin(user);
    expect(Date.now() / 1000 - claimsOf(later.accessToken).auth_time).toBeGreaterThan(3_590);
  });
});

describe('DELETE /users/me (step-up)', () => {
  it('deletes the account right after a login: the login is the recent authentication', async () => {
    const user = await users.registerAndLogin();
    expect((await users.delete('/users/me', user.accessToken)).statusCode).toBe(204);
    expect(await accountExists(user.id)).toBe(false);
  });

  it('refuses a session that entered its password too long ago with 401 and the RFC 9470 challenge, deleting nothing', async () => {
    const user = await users.anHourAfterLogin(await users.registerAndLogin());

    const response = await users.delete('/users/me', user.accessToken);

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.ReauthenticationRequired });
    expect(response.headers['www-authenticate']).toContain(
      `error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=${RECENT_AUTHENTICATION_SECONDS}`,
    );
    expect(await accountExists(user.id)).toBe(true);
  });

  it('deletes it with the access token of a reauthentication, which renews the session in the database', async () => {
    const user = await users.anHourAfterLogin(await users.registerAndLogin());

    const response = await users.post('/users/me/reauthenticate', { password: PASSWORD }, user.accessToken);

    expect(response.statusCode).toBe(200);
    const { accessToken } = response.json<{ accessToken: string }>();
    expect(response.json()).toEqual({ accessToken, tokenType: 'Bearer', expiresIn: 900 });
    expect(claimsOf(accessToken)).toMatchObject({
      sid: claimsOf(user.accessToken).sid,
      auth_time: expect.any(Number),
    });
    expect(Math.abs(claimsOf(accessToken).auth_time - Date.now() / 1000)).toBeLessThan(5);
    expect(users.logs.auditEvents(AuditEvent.Reauthenticated).at(-1)?.audit).toMatchObject({
      userId: user.id,
      targetId: claimsOf(user.accessToken).sid,
    });
    // The session's own refresh token now yields fresh tokens too.
    const refreshed = await users.post('/auth/refresh', { refreshToken: user.refreshToken });
    expect(
      Date.now() / 1000 - claimsOf(refreshed.json<{ accessToken: string }>().accessToken).auth_time,
    ).toBeLessThan(5);

    expect((await users.delete('/users/me', accessToken)).statusCode).toBe(204);
    expect(await accountExists(user.id)).toBe(false);
  });
});

describe('POST /users/me/reauthenticate', () => {
  it('refuses a wrong password with 401, audited as a failed login, and leaves the session as old as it was', async () => {
    const user = await users.anHourAfterLogin(await users.registerAndLogin());

    const response = await users.post(
      '/users/me/reauthenticate',
      { password: 'not the password at all' },
      user.accessToken,
    );

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.InvalidCredentials });
    expect(users.logs.auditEvents(AuditEvent.LoginFailed).at(-1)?.audit).toMatchObject({
      userId: user.id,
      reason: 'wrong password at reauthentication',
    });
    expect((await users.delete('/users/me', user.accessToken)).statusCode).toBe(401);
  });

  it.each([
    ['no password', {}],
    ['an empty password', { password: '' }],
    ['another field', { password: PASSWORD, role: 'admin' }],
  ])('refuses a body with %s (400)', async (_case, body) => {
    const user = await users.registerAndLogin();
    expect((await users.post('/users/me/reauthenticate', body, user.accessToken)).statusCode).toBe(400);
  });

  it('needs an access token of a live session: a logged-out one cannot be renewed', async () => {
    const user = await users.registerAndLogin();
    await users.delete('/users/me/sessions', user.accessToken);
    const response = await users.post('/users/me/reauthenticate', { password: PASSWORD }, user.accessToken);
    expect(response.statusCode).toBe(401);
  });
});

describe('PATCH /users/:id/role (step-up)', () => {
  it('refuses an admin whose session entered its password too long ago, and changes no role; after a reauthentication it does', async () => {
    const admin = await users.anHourAfterLogin(await users.admin());
    const target = await users.registerAndLogin();

    const refused = await users.patch(`/users/${target.id}/role`, { role: 'admin' }, admin.accessToken);
    expect(refused.statusCode).toBe(401);
    expect(await users.db.query(`SELECT role FROM accounts WHERE id = $1`, [target.id])).toEqual([
      { role: 'user' },
    ]);

    const { accessToken } = (
      await users.post('/users/me/reauthenticate', { password: PASSWORD }, admin.accessToken)
    ).json<{ accessToken: string }>();
    expect((await users.patch(`/users/${target.id}/role`, { role: 'admin' }, accessToken)).statusCode).toBe(
      200,
    );
  });
});
