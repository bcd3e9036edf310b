import {
  AppException,
  DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS,
  ErrorCode,
  RevokedSessions,
} from '@runnerly/security';
import { type LoggedInUser, UsersTestApp } from './support/users-test-app';

/** The claims of an access token, read without verifying (the test minted or received it). */
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    sub: string;
    sid: string;
    role: string;
    iat: number;
    exp: number;
  };

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

const roleOf = async (id: string) =>
  (await users.db.query<{ role: string }>('SELECT role FROM accounts WHERE id = $1', [id]))[0]?.role;

describe('an access token is only as good as the account and session behind it, now', () => {
  it('stops a demoted admin at once, so it cannot promote another account it controls', async () => {
    const demoted = await users.admin();
    const otherAdmin = await users.admin();
    const accomplice = await users.registerAndLogin();

    expect(
      (await users.patch(`/users/${demoted.id}/role`, { role: 'user' }, otherAdmin.accessToken)).statusCode,
    ).toBe(200);
    const promotion = await users.patch(
      `/users/${accomplice.id}/role`,
      { role: 'admin' },
      demoted.accessToken,
    );

    expect(promotion.statusCode).toBe(401);
    expect(await roleOf(accomplice.id)).toBe('user');
  });

  it('authorizes admin routes by the role stored now, not the role the token claims', async () => {
    const user = await users.registerAndLogin();
    // A token of the user's own live session that claims the admin role (as a token issued just before a
    // demotion would): the role in the database decides.
    const claimsAdmin = users.tokens.user({
      userId: user.id,
      sessionId: claimsOf(user.accessToken).sid,
      role: 'admin',
    });

    const response = await users.get('/users', claimsAdmin);

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'AUTH.FORBIDDEN' });
  });

  it('stops the token of a deleted admin', async () => {
    const admin = await users.admin();
    expect((await users.delete('/users/me', admin.accessToken)).statusCode).toBe(204);
    expect((await users.get('/users', admin.accessToken)).statusCode).toBe(401);
  });

  it("ends a session's access token on logout, not only its refresh token", async () => {
    const user = await users.registerAndLogin();
    expect((await users.post('/auth/logout', { refreshToken: user.refreshToken })).statusCode).toBe(204);
    expect((await users.get('/users/me', user.accessToken)).statusCode).toBe(401);
  });

  it('ends the access tokens of the other sessions on a password change, and keeps the current one', async () => {
    const current = await users.registerAndLogin();
    const other = await users.login(current);
    const changed = await users.post(
      '/users/me/password',
      { currentPassword: current.password, newPassword: 'another long passphrase 9' },
      current.accessToken,
    );

    expect(changed.statusCode).toBe(204);
    expect((await users.get('/users/me', other.accessToken)).statusCode).toBe(401);
    expect((await users.get('/users/me', current.accessToken)).statusCode).toBe(200);
  });

  it('logs out everywhere: every session ends with its access and refresh tokens, this one included', async () => {
    const first = await users.registerAndLogin();
    const second = await users.login(first);

    expect((await users.delete('/users/me/sessions', first.accessToken)).statusCode).toBe(204);

    for (const session of [first, second] as LoggedInUser[]) {
      expect((await users.get('/users/me', session.accessToken)).statusCode).toBe(401);
      expect((await users.post('/auth/refresh', { refreshToken: session.refreshToken })).statusCode).toBe(
        401,
      );
    }
    const [{ reasons }] = await users.db.query<{ reasons: string[] }>(
      'SELECT array_agg(DISTINCT revoked_reason) AS reasons FROM sessions WHERE account_id = $1',
      [first.id],
    );
    expect(reasons).toEqual(['logout-everywhere']);
  });

  it('keeps a session alive when its end cannot be published, so that retrying the logout still tells every service', async () => {
    const user = await users.registerAndLogin();
    const revoked = users.app.get(RevokedSessions);
    const publish = jest
      .spyOn(revoked, 'revoke')
      .mockRejectedValueOnce(
        new AppException(ErrorCode.ServiceBusy, 'Session checks are unavailable. Retry later.'),
      );
    const sessionId = claimsOf(user.accessToken).sid;

    expect((await users.post('/auth/logout', { refreshToken: user.refreshToken })).statusCode).toBe(503);
    const [row] = await users.db.query<{ revoked_at: Date | null }>(
      'SELECT revoked_at FROM sessions WHERE id = $1',
      [sessionId],
    );
    expect(row?.revoked_at).toBeNull();

    expect((await users.post('/auth/logout', { refreshToken: user.refreshToken })).statusCode).toBe(204);
    expect(publish).toHaveBeenLastCalledWith([sessionId], expect.any(Number));
  });

  it.each([
    ['a session id that is not a UUID', { sessionId: "x' OR '1'='1" }],
    ['a session that never existed', { sessionId: '00000000-0000-4000-8000-000000000000' }],
  ])('refuses a token with %s with 401, never 500', async (_case, claims) => {
    const user = await users.registerAndLogin();
    const token = users.tokens.user({ userId: user.id, ...claims });
    expect((await users.get('/users/me', token)).statusCode).toBe(401);
  });

  it('gives admins shorter-lived access tokens', async () => {
    const admin = await users.admin();
    const user = await users.registerAndLogin();
    const adminClaims = claimsOf(admin.accessToken);

    expect(adminClaims.exp - adminClaims.iat).toBe(DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS);
    expect(claimsOf(user.accessToken).exp - claimsOf(user.accessToken).iat).toBeGreaterThan(
      DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS,
    );
  });
});
