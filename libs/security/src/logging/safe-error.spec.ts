import { QueryFailedError } from 'typeorm';
import { scrubSecrets, statementWithoutValues, toLoggedError } from './safe-error';

const EMAIL = 'ada.lovelace@example.com';
const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g';
const REFRESH_TOKEN = 'q8Zl2Yk3Vd0sPp4m7Xw1Ra9Tc6Ne5Hb2Gu8Jf0Ks3Lo';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlc2lnbmF0dXJl';

/** A PostgreSQL error as pg raises it, wrapped by TypeORM the way a failed INSERT is. */
function uniqueViolation(): QueryFailedError {
  const driverError = Object.assign(
    new Error('duplicate key value violates unique constraint "accounts_email_key"'),
    {
      severity: 'ERROR',
      code: '23505',
      detail: `Key (email)=(${EMAIL}) already exists.`,
      constraint: 'accounts_email_key',
      table: 'accounts',
      schema: 'public',
    },
  );
  return new QueryFailedError(
    'INSERT INTO "accounts"("email", "password_hash") VALUES ($1, $2)',
    [EMAIL, HASH],
    driverError,
  );
}

describe('toLoggedError', () => {
  it('keeps the type, SQLSTATE, constraint, table and statement of a database error, never its parameters or row', () => {
    const logged = toLoggedError(uniqueViolation());

    expect(logged).toMatchObject({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "…"',
      sqlState: '23505',
      constraint: 'accounts_email_key',
      table: 'accounts',
      statement: 'INSERT INTO "accounts"("email", "password_hash") VALUES ($1, $2)',
    });
    expect(JSON.stringify(logged)).not.toContain(EMAIL);
    expect(JSON.stringify(logged)).not.toContain(HASH);
    expect(Object.keys(logged).sort()).toEqual(
      ['constraint', 'message', 'sqlState', 'stack', 'statement', 'table', 'type'].sort(),
    );
  });

  it('masks a value a database message quotes', () => {
    const error = Object.assign(new Error(`invalid input syntax for type uuid: "${EMAIL}"`), {
      severity: 'ERROR',
      code: '22P02',
    });
    expect(toLoggedError(error).message).toBe('invalid input syntax for type uuid: "…"');
  });

  it.each([
    ['an email', `no account for ${EMAIL}`, 'no account for [EMAIL]'],
    ['a password hash', `hash ${HASH} is malformed`, 'hash [PASSWORD-HASH] is malformed'],
    ['a JWT', `bad token ${JWT}`, 'bad token [JWT]'],
    ['an opaque token', `unknown refresh token ${REFRESH_TOKEN}`, 'unknown refresh token [REDACTED]'],
    [
      'a URL password',
      'cannot reach redis://:s3cr3t-pa55@cache:6379',
      'cannot reach redis://:[REDACTED]@cache:6379',
    ],
    [
      'a PEM key',
      'bad key -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- here',
      'bad key [PEM] here',
    ],
  ])('masks %s in any error message', (_case, message, expected) => {
    expect(toLoggedError(new Error(message)).message).toBe(expected);
  });

  it('keeps a system error code and the stack frames, not the first stack line (it repeats the message)', () => {
    const error = Object.assign(new Error(`connect ECONNREFUSED ${EMAIL}`), { code: 'ECONNREFUSED' });
    const logged = toLoggedError(error);

    expect(logged.code).toBe('ECONNREFUSED');
    expect(logged.stack?.length).toBeGreaterThan(0);
    expect(logged.stack?.every((frame) => frame.startsWith('at '))).toBe(true);
    expect(JSON.stringify(logged)).not.toContain(EMAIL);
  });

  it('drops every other field an error carries', () => {
    const error = Object.assign(new Error('failed'), {
      config: { headers: { authorization: `Bearer ${JWT}` } },
      password: 'hunter2-hunter2',
      response: { body: EMAIL },
    });
    const output = JSON.stringify(toLoggedError(error));
    expect(output).not.toContain(JWT);
    expect(output).not.toContain('hunter2');
    expect(output).not.toContain(EMAIL);
  });

  it('follows causes a few levels deep, through the same allowlist', () => {
    const logged = toLoggedError(new Error('outer', { cause: uniqueViolation() }));
    expect(logged.cause).toMatchObject({ type: 'QueryFailedError', sqlState: '23505' });
    expect(JSON.stringify(logged)).not.toContain(EMAIL);
  });

  it.each([
    ['a string', `thrown ${EMAIL}`, { type: 'string', message: 'thrown [EMAIL]' }],
    ['a number', 42, { type: 'number', message: '42' }],
    ['null', null, { type: 'object', message: 'null' }],
    ['a plain object', { message: 'plain' }, { type: 'Object', message: 'plain' }],
  ])('describes %s thrown instead of an Error', (_case, thrown, expected) => {
    expect(toLoggedError(thrown)).toEqual(expected);
  });

  it('stays bounded whatever the message', () => {
    expect(toLoggedError(new Error('x'.repeat(100_000))).message.length).toBeLessThanOrEqual(301);
  });
});

describe('scrubSecrets', () => {
  it('leaves ordinary text alone', () => {
    expect(scrubSecrets('relation "runs" does not exist at character 15')).toBe(
      'relation "runs" does not exist at character 15',
    );
  });
});

describe('statementWithoutValues', () => {
  it('masks string literals, keeps placeholders', () => {
    expect(statementWithoutValues("SELECT 1 FROM accounts WHERE email = 'ada@example.com' AND id = $1")).toBe(
      "SELECT 1 FROM accounts WHERE email = '?' AND id = $1",
    );
  });
});
