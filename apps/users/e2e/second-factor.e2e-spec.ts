import { Secret } from 'otpauth';
import { AuditEvent, ErrorCode, SECOND_FACTOR_FAILURES } from '@runnerly/security';
import { LOGIN_CHALLENGE_MAX_FAILURES } from '../src/mfa/login-challenges';
import { type EnrolledUser, type RegisteredUser, totpCode, UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

/** Two-factor turned on with the code of the current period; the app's next code is then the first usable. */
const enrolled = async (): Promise<EnrolledUser> => users.turnOnSecondFactor(await users.registerAndLogin());

const firstStep = async (user: RegisteredUser) =>
  (await users.post('/auth/login', { email: user.email, password: user.password })).json<{
    loginToken: string;
    secondFactorRequired?: boolean;
    accessToken?: string;
  }>();

const secondStep = (loginToken: string, proof: { code: string } | { recoveryCode: string }) =>
  users.post('/auth/login/second-factor', { loginToken, ...proof });

describe('turning two-factor on', () => {
  it('takes two steps: a secret to scan (an otpauth URI), then a code from the app, which answers ten recovery codes once', async () => {
    const user = await users.registerAndLogin();

    const started = await users.post('/users/me/mfa/totp', {}, user.accessToken);
    const { secret, otpauthUri } = started.json<{ secret: string; otpauthUri: string }>();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Runnerly:.+\?.*secret=[A-Z2-7]{32}/);
    expect((await users.get('/users/me/mfa', user.accessToken)).json()).toEqual({
      enabled: false,
      recoveryCodesLeft: 0,
    });

    const confirmed = await users.post(
      '/users/me/mfa/totp/confirm',
      { code: totpCode(secret) },
      user.accessToken,
    );

    expect(confirmed.statusCode).toBe(200);
    const { recoveryCodes } = confirmed.json<{ recoveryCodes: string[] }>();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect((await users.get('/users/me/mfa', user.accessToken)).json()).toEqual({
      enabled: true,
      recoveryCodesLeft: 10,
    });
    expect(users.logs.auditEvents(AuditEvent.SecondFactorEnabled).at(-1)?.audit).toMatchObject({
      userId: user.id,
    });
  });

  it('refuses a wrong confirmation code, and stays off', async () => {
    const user = await users.registerAndLogin();
    const { secret } = (await users.post('/users/me/mfa/totp', {}, user.accessToken)).json<{
      secret: string;
    }>();
    const wrong = totpCode(secret) === '000000' ? '111111' : '000000';

    const response = await users.post('/users/me/mfa/totp/confirm', { code: wrong }, user.accessToken);

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.InvalidSecondFactor });
    expect((await users.get('/users/me/mfa', user.accessToken)).json()).toMatchObject({ enabled: false });
  });

  it('needs a recent authentication (step-up), like every change that protects the account', async () => {
    const { accessToken } = await users.anHourAfterLogin(await users.registerAndLogin());

    const response = await users.post('/users/me/mfa/totp', {}, accessToken);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.ReauthenticationRequired });
  });

  it('stores the secret encrypted: no table of the users database holds it, in any spelling', async () => {
    const user = await enrolled();
    const tables = await users.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const dump = JSON.stringify(
      await Promise.all(tables.map(({ table_name }) => users.db.query(`SELECT * FROM "${table_name}"`))),
    );
    expect(dump).toContain(user.id);
    expect(dump.toUpperCase()).not.toContain(user.secret);
    expect(dump).not.toContain(Buffer.from(Secret.fromBase32(user.secret).bytes).toString('hex'));
    for (const code of user.recoveryCodes) expect(dump).not.toContain(code);
  });
});

describe('a login with two-factor on', () => {
  it('answers the password with a login token only, which opens nothing', async () => {
    const user = await enrolled();

    const first = await users.post('/auth/login', { email: user.email, password: user.password });

    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      secondFactorRequired: true,
      loginToken: expect.any(String),
      expiresIn: 300,
    });
    const { loginToken } = first.json<{ loginToken: string }>();
    expect((await users.get('/users/me', loginToken)).statusCode).toBe(401);
    expect((await users.post('/auth/refresh', { refreshToken: loginToken })).statusCode).toBe(401);
  });

  it('starts the session with the next code from the app, audited as a login with the second factor', async () => {
    const user = await enrolled();
    const { loginToken } = await firstStep(user);

    const response = await secondStep(loginToken, { code: totpCode(user.secret, 1) });

    expect(response.statusCode).toBe(200);
    const { accessToken } = response.json<{ accessToken: string; refreshToken: string }>();
    expect((await users.get('/users/me', accessToken)).json()).toMatchObject({ id: user.id });
    expect(users.logs.auditEvents(AuditEvent.LoginSucceeded).at(-1)?.audit).toMatchObject({
      userId: user.id,
      secondFactor: 'totp',
    });
  });

  it('refuses a code already used (replay), and a login token already used', async () => {
    const user = await enrolled();
    const code = totpCode(user.secret, 1);
    const used = await firstStep(user);
    expect((await secondStep(used.loginToken, { code })).statusCode).toBe(200);

    const replay = await secondStep((await firstStep(user)).loginToken, { code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: ErrorCode.InvalidSecondFactor });

    const again = await secondStep(used.loginToken, { recoveryCode: user.recoveryCodes[0]! });
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ code: ErrorCode.InvalidLoginChallenge });
  });

  it('takes a recovery code once, in any spelling, and counts what is left', async () => {
    const user = await enrolled();
    const recoveryCode = user.recoveryCodes[3]!;

    const first = await secondStep((await firstStep(user)).loginToken, {
      recoveryCode: recoveryCode.toUpperCase().replace('-', ' ').replaceAll('-', ''),
    });
    expect(first.statusCode).toBe(200);
    expect(users.logs.auditEvents(AuditEvent.RecoveryCodeUsed).at(-1)?.audit).toMatchObject({
      userId: user.id,
    });

    const second = await secondStep((await firstStep(user)).loginToken, { recoveryCode });
    expect(second.statusCode).toBe(401);
    const { accessToken } = first.json<{ accessToken: string }>();
    expect((await users.get('/users/me/mfa', accessToken)).json()).toEqual({
      enabled: true,
      recoveryCodesLeft: 9,
    });
  });

  it(`spends a login token after ${LOGIN_CHALLENGE_MAX_FAILURES} wrong codes: the right one then needs the password again`, async () => {
    const user = await enrolled();
    const { loginToken } = await firstStep(user);
    const statuses = [];
    for (let attempt = 0; attempt < LOGIN_CHALLENGE_MAX_FAILURES; attempt++) {
      statuses.push((await secondStep(loginToken, { code: String(100000 + attempt) })).statusCode);
    }
    expect(statuses).toEqual(Array(LOGIN_CHALLENGE_MAX_FAILURES).fill(401));

    const right = await secondStep(loginToken, { code: totpCode(user.secret, 1) });
    expect(right.json()).toMatchObject({ code: ErrorCode.InvalidLoginChallenge });
    expect(users.logs.auditEvents(AuditEvent.SecondFactorFailed).at(-1)?.audit).toMatchObject({
      userId: user.id,
      reason: 'wrong or replayed code',
    });
  });

  it(`refuses every code for the account with 429 after ${SECOND_FACTOR_FAILURES.limit} wrong ones from any number of logins (brute force)`, async () => {
    const user = await enrolled();
    let failures = 0;
    while (failures < SECOND_FACTOR_FAILURES.limit) {
      const { loginToken } = await firstStep(user);
      for (
        let attempt = 0;
        attempt < LOGIN_CHALLENGE_MAX_FAILURES && failures < SECOND_FACTOR_FAILURES.limit;
        attempt++
      ) {
        expect((await secondStep(loginToken, { code: String(200000 + failures) })).statusCode).toBe(401);
        failures++;
      }
    }

    const blocked = await secondStep((await firstStep(user)).loginToken, { code: totpCode(user.secret, 1) });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ code: ErrorCode.RateLimited });
  });

  it('refuses an expired login token', async () => {
    const user = await enrolled();
    const { loginToken } = await firstStep(user);
    await users.db.query(
      `UPDATE login_challenges SET expires_at = now() - interval '1 second' WHERE account_id = $1`,
      [user.id],
    );
    const response = await secondStep(loginToken, { code: totpCode(user.secret, 1) });
    expect(response.json()).toMatchObject({ code: ErrorCode.InvalidLoginChallenge });
  });

  it.each([
    ['neither a code nor a recovery code', {}],
    ['both', { code: '123456', recoveryCode: 'abcd-efgh-jkmn-pqrs' }],
    ['a code that is not six digits', { code: '12345a' }],
    ['no login token', { loginToken: undefined, code: '123456' }],
  ])('refuses a second step with %s (400)', async (_case, body) => {
    const response = await users.post('/auth/login/second-factor', { loginToken: 'x'.repeat(43), ...body });
    expect(response.statusCode).toBe(400);
  });
});

describe('a reauthentication with two-factor on (step-up)', () => {
  it('needs a code or a recovery code besides the password, as a login does', async () => {
    const user = await enrolled();
    const reauthenticate = (body: Record<string, string>) =>
      users.post('/users/me/reauthenticate', { password: user.password, ...body }, user.accessToken);

    const passwordOnly = await reauthenticate({});
    expect(passwordOnly.statusCode).toBe(401);
    expect(passwordOnly.json()).toMatchObject({ code: ErrorCode.InvalidSecondFactor });
    expect((await reauthenticate({ code: '000002' })).statusCode).toBe(401);

    const withCode = await reauthenticate({ code: totpCode(user.secret, 1) });
    expect(withCode.statusCode).toBe(200);
  });
});

describe('turning two-factor off', () => {
  it('needs a recent authentication (step-up): an old session with a right code is refused', async () => {
    const user = await users.anHourAfterLogin(await enrolled());
    const response = await users.post(
      '/users/me/mfa/disable',
      { recoveryCode: user.recoveryCodes[0]! },
      user.accessToken,
    );
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.ReauthenticationRequired });
    expect((await users.get('/users/me/mfa', user.accessToken)).json()).toMatchObject({ enabled: true });
  });

  it('needs a current code or a recovery code; then the password alone logs in again', async () => {
    const user = await enrolled();
    expect((await users.post('/users/me/mfa/disable', {}, user.accessToken)).statusCode).toBe(400);
    expect((await users.post('/users/me/mfa/disable', { code: '000001' }, user.accessToken)).statusCode).toBe(
      401,
    );

    const response = await users.post(
      '/users/me/mfa/disable',
      { recoveryCode: user.recoveryCodes[0]! },
      user.accessToken,
    );

    expect(response.statusCode).toBe(204);
    expect((await users.get('/users/me/mfa', user.accessToken)).json()).toEqual({
      enabled: false,
      recoveryCodesLeft: 0,
    });
    expect(users.logs.auditEvents(AuditEvent.SecondFactorDisabled).at(-1)?.audit).toMatchObject({
      userId: user.id,
    });
    expect(await firstStep(user)).toMatchObject({ accessToken: expect.any(String) });
  });
});
