import { AuditEvent, ErrorCode } from '@runnerly/security';
import { accentedEmail, LOOK_ALIKE_SPELLINGS } from './support/look-alike-emails';
import { OWASP_ARGON2ID_HASH, PASSWORD, UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

const valid = () => ({ email: users.nextEmail(), password: PASSWORD, displayName: 'Ada' });
const accountCount = async () =>
  Number((await users.db.query<{ n: string }>(`SELECT count(*) AS n FROM accounts`))[0]!.n);

it('creates a user account and answers with its public profile only', async () => {
  const body = valid();
  const response = await users.post('/auth/register', body);

  expect(response.statusCode).toBe(201);
  expect(response.json()).toEqual({
    id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    email: body.email,
    displayName: 'Ada',
    emailVerified: false,
    role: 'user',
    createdAt: expect.any(String),
  });
  expect(response.body).not.toMatch(/argon2|password|hash/i);
  expect(users.logs.auditEvents(AuditEvent.Registered).at(-1)?.audit).toMatchObject({
    userId: response.json<{ id: string }>().id,
    role: 'user',
  });
  const [stored] = await users.db.query<{ password_hash: string }>(
    `SELECT password_hash FROM accounts WHERE email = $1`,
    [body.email],
  );
  expect(stored!.password_hash).toMatch(OWASP_ARGON2ID_HASH);
});

it('stores the email trimmed and lower-cased, so the same address cannot register twice', async () => {
  const email = users.nextEmail('Case');
  expect(
    (await users.post('/auth/register', { ...valid(), email: `  ${email.toUpperCase()} ` })).statusCode,
  ).toBe(201);

  const again = await users.post('/auth/register', { ...valid(), email });
  expect(again.statusCode).toBe(409);
  expect(again.json()).toMatchObject({ code: ErrorCode.Conflict });
  expect(
    await users.db.query(`SELECT email FROM accounts WHERE email = $1`, [email.toLowerCase()]),
  ).toHaveLength(1);
});

it.each(LOOK_ALIKE_SPELLINGS)(
  'refuses with 409 a second account under a spelling of the address %s',
  async (_case, spell) => {
    const email = accentedEmail();
    expect((await users.post('/auth/register', { ...valid(), email })).statusCode).toBe(201);

    const again = await users.post('/auth/register', { ...valid(), email: spell(email) });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: ErrorCode.Conflict });
    expect(await users.db.query(`SELECT email FROM accounts WHERE email = $1`, [email])).toHaveLength(1);
  },
);

it('lets exactly one of two concurrent sign-ups with one email through', async () => {
  const body = valid();
  const statuses = (
    await Promise.all([users.post('/auth/register', body), users.post('/auth/register', body)])
  ).map((r) => r.statusCode);
  expect(statuses.sort()).toEqual([201, 409]);
});

describe('refuses, with 400, the field at fault and nothing stored,', () => {
  it.each([
    ['a role (mass assignment)', { role: 'admin' }, 'role'],
    ['an id', { id: '00000000-0000-0000-0000-000000000000' }, 'id'],
    ['an unknown field', { isVerified: true }, 'isVerified'],
    ['a malformed email', { email: 'not-an-email' }, 'email'],
    ['an over-long email', { email: `${'a'.repeat(250)}@example.com` }, 'email'],
    [
      'a lone surrogate in the email (validator.js threw on it: a 500)',
      { email: 'ada\ud800@example.com' },
      'email',
    ],
    ['a 7-character password', { password: 'abc1234' }, 'password'],
    ['a 129-character password', { password: 'a'.repeat(129) }, 'password'],
    ['a common password', { password: 'password123' }, 'password'],
    [
      'a password made of the email',
      { email: 'marathoner@example.com', password: 'marathoner2024' },
      'password',
    ],
    ['a numeric password', { password: 12345678 }, 'password'],
    ['an empty display name', { displayName: '   ' }, 'displayName'],
    ['a 101-character display name', { displayName: 'a'.repeat(101) }, 'displayName'],
    [
      'a display name of 60 emoji presentation sequences (120 characters, which validator.js counted as 60: a 500)',
      { displayName: '\u2764\ufe0f'.repeat(60) },
      'displayName',
    ],
    ['control characters in the display name', { displayName: 'Ada\u0000\u001b[31m' }, 'displayName'],
  ])('%s', async (_case, change, field) => {
    const before = await accountCount();
    const response = await users.post('/auth/register', { ...valid(), ...change });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      statusCode: 400,
      code: ErrorCode.ValidationFailed,
      requestId: expect.any(String),
    });
    expect(response.json<{ fields: { field: string }[] }>().fields.map((problem) => problem.field)).toContain(
      field,
    );
    expect(await accountCount()).toBe(before);
  });

  it.each([
    ['an array', () => JSON.stringify([valid()])],
    ['a string', () => '"just a string"'],
    ['a number', () => '42'],
  ])('a body that is %s', async (_case, body) => {
    const before = await accountCount();
    const response = await users.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: body(),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(await accountCount()).toBe(before);
  });
});

it('never echoes the submitted values in a validation error', async () => {
  const response = await users.post('/auth/register', {
    email: 'probe-value-123',
    password: 'probe-secret-456',
    displayName: 'x',
  });
  expect(response.statusCode).toBe(400);
  expect(response.body).not.toContain('probe-value-123');
  expect(response.body).not.toContain('probe-secret-456');
});
