import { AuditEvent, ErrorCode } from '@runnerly/security';
import { totpCode, UsersTestApp } from './support/users-test-app';

// Admin powers need a second factor, as in production (where it is the default).
let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start({ ADMIN_SECOND_FACTOR_REQUIRED: 'true' });
}, 60_000);

afterAll(() => users?.close());

const claimsOf = (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { amr: string[] };

describe('where admin powers need a second factor', () => {
  it('refuses admin routes to an admin who logged in with a password only, with 403 saying why, and audits it', async () => {
    const admin = await users.admin();

    const response = await users.get('/users', admin.accessToken);

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: ErrorCode.SecondFactorRequired });
    expect(claimsOf(admin.accessToken).amr).toEqual(['pwd']);
    expect(users.logs.auditEvents(AuditEvent.AccessDenied).at(-1)?.audit).toMatchObject({
      userId: admin.id,
      reason: 'role admin needs a second factor in the session',
    });
  });

  it('lets that admin turn two-factor on, then opens admin routes after a reauthentication with a code, refreshes included', async () => {
    const admin = await users.turnOnSecondFactor(await users.admin());

    const stepped = await users.post(
      '/users/me/reauthenticate',
      { password: admin.password, code: totpCode(admin.secret, 1) },
      admin.accessToken,
    );
    const { accessToken } = stepped.json<{ accessToken: string }>();

    expect(claimsOf(accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
    expect((await users.get('/users', accessToken)).statusCode).toBe(200);
    const refreshed = await users.post('/auth/refresh', { refreshToken: admin.refreshToken });
    expect(
      (await users.get('/users', refreshed.json<{ accessToken: string }>().accessToken)).statusCode,
    ).toBe(200);
  });

  it('opens admin routes to an admin who logs in with password and code', async () => {
    const admin = await users.turnOnSecondFactor(await users.admin());
    const first = await users.post('/auth/login', { email: admin.email, password: admin.password });

    const second = await users.post('/auth/login/second-factor', {
      loginToken: first.json<{ loginToken: string }>().loginToken,
      code: totpCode(admin.secret, 1),
    });

    expect((await users.get('/users', second.json<{ accessToken: string }>().accessToken)).statusCode).toBe(
      200,
    );
  });

  it('still refuses an admin who turned two-factor on in a session that entered only the password', async () => {
    const admin = await users.turnOnSecondFactor(await users.admin());

    expect((await users.get('/users', admin.accessToken)).json()).toMatchObject({
      code: ErrorCode.SecondFactorRequired,
    });
  });

  it('changes nothing for a user', async () => {
    const user = await users.registerAndLogin();
    expect((await users.get('/users/me', user.accessToken)).statusCode).toBe(200);
    expect((await users.get('/users', user.accessToken)).json()).toMatchObject({ code: ErrorCode.Forbidden });
  });
});
