import { UsersTestApp } from './support/users-test-app';

// Its own file: the first app of a jest file receives the log lines of every app in it (nestjs-pino).
let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
  // A constraint the service does not know about makes one INSERT fail inside PostgreSQL, as a schema
  // drift or a bug would: the error then carries the query's parameters (email, password hash).
  await users.db.query(
    `ALTER TABLE accounts ADD CONSTRAINT test_refuses_display_name CHECK (display_name <> 'Trigger A Failure')`,
  );
}, 60_000);

afterAll(() => users?.close());

describe('an unexpected database error', () => {
  const email = 'grace.unexpected@example.com';
  const password = 'Recognisable passphrase 8fK2q';

  it('answers a bare 500 and logs the error type, SQLSTATE and constraint, never the email or the password hash', async () => {
    users.logs.clear();
    const response = await users.post('/auth/register', {
      email,
      password,
      displayName: 'Trigger A Failure',
    });

    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'INTERNAL', message: 'Internal server error.' });
    const [logged] = users.logs.withMessage('Unhandled error while serving a request');
    expect(logged).toMatchObject({
      requestId: response.headers['x-request-id'],
      err: {
        type: 'QueryFailedError',
        sqlState: '23514',
        constraint: 'test_refuses_display_name',
        table: 'accounts',
        statement: expect.stringContaining('INSERT INTO "accounts"'),
      },
    });
    expect(users.logs.text).not.toContain(email);
    expect(users.logs.text).not.toContain(password);
    expect(users.logs.text).not.toContain('$argon2id$');
    expect(users.logs.text).not.toContain('Trigger A Failure');
  });
});
