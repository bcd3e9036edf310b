import { createHash } from 'node:crypto';
import { RawHttpClient } from '@runnerly/security/testing';
import { ADMIN, Stack } from './support/stack';
import { type Account, eventually, GatewayClient } from '@runnerly/testing';

/** Recognisable values: if any of them shows up in a log line, something logged what it must not. */
const SECRETS = {
  password: 'Recognisable Passphrase 7Qx!',
  newPassword: 'Another Recognisable Phrase 8Wz?',
  wrongGuess: 'Recognisable Wrong Guess 9Lk#',
  clientSecret: 'recognisable-client-secret-Vb83kq9Zt2Lw7Mn4Xp1Rs6Td0',
  fieldValue: 'recognisable-field-value-Hc72Jq',
  displayName: 'Trigger A Failure',
};
const FORGED_LINE = '{"level":"fatal","msg":"forged log line"}';
/** What a log reader might take for the end of a line. */
const LINE_BREAKS = [
  ['CR', '\r'],
  ['LF', '\n'],
  ['U+2028 (line separator)', '\u2028'],
  ['U+2029 (paragraph separator)', '\u2029'],
];

let stack: Stack;
let api: GatewayClient;
let ada: Account;
const emails: string[] = [];
const tokens: string[] = [];

beforeAll(async () => {
  stack = await Stack.start({
    extra: {
      users: {
        OAUTH_CLIENTS: JSON.stringify([
          {
            clientId: 'reports',
            secretHash: `sha256:${createHash('sha256').update(SECRETS.clientSecret).digest('hex')}`,
            scopes: ['runs:purge'],
          },
        ]),
      },
    },
  });
  api = new GatewayClient(stack.gatewayUrl);
  // A constraint users does not know about, so that one INSERT fails inside PostgreSQL with its values.
  await stack
    .database('users')
    .query(
      `ALTER TABLE accounts ADD CONSTRAINT test_refuses_display_name CHECK (display_name <> '${SECRETS.displayName}')`,
    );
  await driveEverythingThatLogs();
}, 120_000);

afterAll(() => stack?.stop());

/** A login, a refresh, refused requests of every kind, a database error and a service token. */
async function driveEverythingThatLogs(): Promise<void> {
  ada = await api.signUp('ada', SECRETS.password);
  emails.push(ada.email);
  const refreshed = await api.call<{ refreshToken: string }>('POST', '/api/auth/refresh', {
    json: { refreshToken: ada.refreshToken },
  });
  await api.call('POST', '/api/auth/refresh', { json: { refreshToken: ada.refreshToken } }); // reuse
  await api.call('POST', '/api/auth/login', { json: { email: ada.email, password: SECRETS.wrongGuess } });
  await api.call('POST', '/api/auth/register', {
    json: { email: 'not-an-email', password: SECRETS.password, displayName: 'x', role: SECRETS.fieldValue },
  });
  const dbFailure = GatewayClient.nextEmail('failure');
  emails.push(dbFailure);
  const failed = await api.call('POST', '/api/auth/register', {
    json: { email: dbFailure, password: SECRETS.password, displayName: SECRETS.displayName },
  });
  expect(failed.status).toBe(500);
  const again = await api.logIn(ada.email, SECRETS.password);
  await api.call('POST', '/api/users/me/password', {
    token: again.accessToken,
    json: { currentPassword: SECRETS.password, newPassword: SECRETS.newPassword },
  });
  await api.call('POST', '/api/users/me/reauthenticate', {
    token: again.accessToken,
    json: { password: SECRETS.newPassword },
  });
  await api.call('POST', '/api/users/me/reauthenticate', {
    token: again.accessToken,
    json: { password: SECRETS.wrongGuess },
  });
  await api.call('GET', '/api/runs', { token: `${ada.accessToken}tampered` });
  await api.logIn(ADMIN.email, ADMIN.password);
  const usersUrl = `http://127.0.0.1:${stack.env.users.PORT}`;
  await fetch(`${usersUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: 'reports',
      client_secret: SECRETS.clientSecret,
    }),
  });
  tokens.push(
    ada.accessToken,
    ada.refreshToken,
    again.accessToken,
    again.refreshToken,
    refreshed.body.refreshToken,
  );
}

/** Every line every service wrote to its log (stdout), as written. */
const allLines = () => Object.values(stack.rawLogs).flat();

describe('the logs of every service', () => {
  it('hold no password, token, password hash, key, client secret, database password or email', async () => {
    const hashes = await stack
      .database('users')
      .query<{ password_hash: string }>('SELECT password_hash FROM accounts');
    const digests = await stack
      .database('users')
      .query<{ token_hash: string }>('SELECT token_hash FROM refresh_tokens');
    const keyLines = stack.env.users
      .JWT_PRIVATE_KEY!.split('\n')
      .filter((line) => line.length > 20 && !line.includes('-----'));
    const databasePasswords = [stack.env.users.DATABASE_URL!, stack.env.runs.DATABASE_URL!].map((url) =>
      decodeURIComponent(new URL(url).password),
    );
    const text = allLines().join('\n');
    const forbidden = [
      ...Object.entries(SECRETS).map(([name, value]) => [name, value] as const),
      ...tokens.flatMap((token) => [
        ['a token', token] as const,
        ['a token signature', token.split('.').at(-1)!] as const,
      ]),
      ...hashes.map((row) => ['a password hash', row.password_hash] as const),
      ...digests.map((row) => ['a refresh token digest', row.token_hash] as const),
      ...keyLines.map((line) => ['the signing key', line] as const),
      ...databasePasswords.map((password) => ['a database password', password] as const),
      ...emails.map((email) => ['an email address', email] as const),
    ];

    expect(allLines().length).toBeGreaterThan(50);
    expect(forbidden.filter(([, value]) => text.includes(value)).map(([name]) => name)).toEqual([]);
  });

  it('record the database error by type, SQLSTATE and constraint, so an operator can still act on it', () => {
    const [logged] = Object.values(stack.logs)
      .flat()
      .filter((line) => line.msg === 'Unhandled error while serving a request');
    expect(logged).toMatchObject({
      err: { type: 'QueryFailedError', sqlState: '23514', constraint: 'test_refuses_display_name' },
    });
  });
});

describe('log lines cannot be forged by input', () => {
  it.each(LINE_BREAKS)(
    'input holding %s never ends a line early: every line stays one JSON object',
    async (_name, separator) => {
      const injected = `${separator}${FORGED_LINE}${separator}`;
      const denials = () => stack.logs.users!.filter((line) => line.msg === 'oauth.token.denied').length;
      const deniedBefore = denials();
      // In the URL, raw (the request line is logged by every service) ...
      const raw = await RawHttpClient.connect(Number(stack.env.gateway.PORT));
      await raw.send([`GET /api/runs?q=${injected} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      await raw.closed;
      // ... in an email and a client id, which reach the audit log (as a fingerprint, and as given).
      await api.call('POST', '/api/auth/login', {
        json: { email: `a${injected}@example.com`, password: 'x' },
      });
      await fetch(`http://127.0.0.1:${stack.env.users.PORT}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: `r${injected}`,
          client_secret: 'x',
        }),
      });
      // The client id's audit line is the last one this test causes.
      await eventually(() => expect(denials()).toBeGreaterThan(deniedBefore));

      // A forged line would be a line of its own: not a log object of the service (no time), or not JSON.
      expect(allLines().filter((line) => !isLogObject(line))).toEqual([]);
    },
  );
});

function isLogObject(line: string): boolean {
  try {
    const parsed = JSON.parse(line) as { level?: unknown; time?: unknown };
    return typeof parsed.level === 'string' && typeof parsed.time === 'string';
  } catch {
    return false;
  }
}
