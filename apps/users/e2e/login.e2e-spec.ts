import { AuditEvent, accountFingerprint, ErrorCode } from '@runnerly/security';
import { accentedEmail, LOOK_ALIKE_SPELLINGS } from './support/look-alike-emails';
import { OWASP_ARGON2ID_HASH, type RegisteredUser, UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });

describe('a failed login', () => {
  it('answers an unknown email and a wrong password with the same status and body', async () => {
    const user = await users.register();
    const wrongPassword = await users.post('/auth/login', {
      email: user.email,
      password: 'not the password at all',
    });
    const unknownEmail = await users.post('/auth/login', {
      email: users.nextEmail('ghost'),
      password: 'not the password at all',
    });

    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownEmail.statusCode).toBe(401);
    expect(withoutRequestId(wrongPassword.json())).toEqual(withoutRequestId(unknownEmail.json()));
    expect(wrongPassword.json()).toMatchObject({
      code: ErrorCode.InvalidCredentials,
      message: 'Invalid email or password.',
    });
  });

  it('takes about as long for an unknown email as for a wrong password (both run argon2)', async () => {
    const user = await users.register();
    const time = async (email: string) => {
      const started = process.hrtime.bigint();
      await users.post('/auth/login', { email, password: 'not the password at all' });
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(await time(user.email));
      unknown.push(await time(users.nextEmail('ghost')));
    }
    // Without the dummy verification an unknown email answers in ~1 ms against ~40 ms: a ratio near 0.
    expect(median(unknown) / median(known)).toBeGreaterThan(0.5);
    expect(median(unknown) / median(known)).toBeLessThan(2);
  });

  it('is audited with an account fingerprint, never the email itself', async () => {
    const email = users.nextEmail('audited');
    await users.post('/auth/login', { email, password: 'not the password at all' });

    const event = users.logs.auditEvents(AuditEvent.LoginFailed).at(-1);
    expect(event?.audit).toMatchObject({ account: accountFingerprint(email), reason: 'unknown account' });
    expect(event?.requestId).toEqual(expect.any(String));
    expect(users.logs.text).not.toContain(email);
  });
});

it('audits a successful login with the user id and session', async () => {
  const user = await users.registerAndLogin();
  expect(users.logs.auditEvents(AuditEvent.LoginSucceeded).at(-1)?.audit).toMatchObject({
    userId: user.id,
    targetId: expect.any(String),
  });
});

it('accepts the email in any case and with surrounding spaces', async () => {
  const user = await users.register();
  expect(
    (await users.post('/auth/login', { email: ` ${user.email.toUpperCase()} `, password: user.password }))
      .statusCode,
  ).toBe(200);
});

describe('an address spelled another way that renders the same', () => {
  let zoe: RegisteredUser;
  beforeAll(async () => {
    zoe = await users.register(accentedEmail());
  });

  it.each(LOOK_ALIKE_SPELLINGS)('reaches the account when spelled %s: 200', async (_case, spell) => {
    expect(
      (await users.post('/auth/login', { email: spell(zoe.email), password: zoe.password })).statusCode,
    ).toBe(200);
  });

  it.each(LOOK_ALIKE_SPELLINGS)(
    'reaches the account when spelled %s, so a wrong password is the same 401',
    async (_case, spell) => {
      const response = await users.post('/auth/login', {
        email: spell(zoe.email),
        password: 'not the password',
      });
      expect(response.statusCode).toBe(401);
      expect(users.logs.auditEvents(AuditEvent.LoginFailed).at(-1)?.audit).toMatchObject({
        userId: zoe.id,
        reason: 'wrong password',
      });
    },
  );
});

it('re-hashes a password stored with weaker parameters after a successful login', async () => {
  const user = await users.register();
  const weaker = '$argon2id$v=19$m=4096,t=1,p=1$';
  const argon2 = await import('argon2');
  const weakHash = await argon2.hash(user.password, {
    type: argon2.argon2id,
    memoryCost: 4096,
    timeCost: 1,
    parallelism: 1,
  });
  await users.db.query(`UPDATE accounts SET password_hash = $1 WHERE id = $2`, [weakHash, user.id]);

  expect((await users.post('/auth/login', { email: user.email, password: user.password })).statusCode).toBe(
    200,
  );
  const [row] = await users.db.query<{ password_hash: string }>(
    `SELECT password_hash FROM accounts WHERE id = $1`,
    [user.id],
  );
  expect(row!.password_hash.startsWith(weaker)).toBe(false);
  expect(row!.password_hash).toMatch(OWASP_ARGON2ID_HASH);
});

it.each([
  ['no email', { password: 'x' }],
  ['an over-long password', { email: 'a@example.com', password: 'p'.repeat(129) }],
  ['an unknown field', { email: 'a@example.com', password: 'x', remember: true }],
  [
    'a NUL in the email (it reached PostgreSQL, which refused it: a 500)',
    { email: 'a\u0000@example.com', password: 'x' },
  ],
])('refuses a login body with %s (400)', async (_case, body) => {
  expect((await users.post('/auth/login', body)).statusCode).toBe(400);
});
