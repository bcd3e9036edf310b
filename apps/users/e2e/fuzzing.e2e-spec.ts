import fc from 'fast-check';
import {
  answerOf,
  anyJsonValue,
  authorizationHeader,
  contentType,
  emailValues,
  type FuzzAnswer,
  fuzz,
  headerValue,
  hostileKey,
  hostileText,
  jsonBodies,
  lookAlike,
  numericQueryValues,
  opaqueTokenLike,
  percentEncode,
  queryStrings,
  stringsAroundBound,
  tamperedCursor,
  textFieldValues,
  toJsonText,
  uuidLike,
  withUnknownMember,
} from '@runnerly/security/testing';
import { FuzzTarget } from '@runnerly/testing';
import { type InjectOptions } from 'fastify';
import { secretHashOf } from '../src/oauth/service-clients';
import { type LoggedInUser, PASSWORD, UsersTestApp } from './support/users-test-app';

// Property-based fuzzing of every input of `users`: each generated request must get a 2xx or a 4xx in
// the common error shape (never a 5xx), a refusal must change no row, and no request may pollute the
// built-in prototypes (FuzzTarget checks all three). FUZZ_SEED and FUZZ_RUNS steer the runs.

const CLIENT_ID = 'reporting';
// Obviously a fixture, never a real secret (and long enough to pass as one).
const CLIENT_SECRET = 'test-only-client-secret-not-for-use-anywhere';
const TABLES = ['accounts', 'sessions', 'refresh_tokens', 'run_purge_requests'];
/** No account has this id (a fixed one keeps the test names stable). */
const NOBODY = '00000000-0000-4000-8000-000000000000';

let users: UsersTestApp;
let target: FuzzTarget;
let ada: LoggedInUser;
let admin: LoggedInUser;
let adasHash: string;

beforeAll(async () => {
  users = await UsersTestApp.start({
    OAUTH_CLIENTS: JSON.stringify([
      { clientId: CLIENT_ID, secretHash: secretHashOf(CLIENT_SECRET), scopes: ['runs:purge'] },
    ]),
  });
  ada = await users.registerAndLogin();
  admin = await users.admin();
  [{ password_hash: adasHash }] = await users.db.query<{ password_hash: string }>(
    `SELECT password_hash FROM accounts WHERE id = $1`,
    [ada.id],
  );
  target = await FuzzTarget.open({ databases: [{ db: users.db, tables: TABLES }], inProcess: true });
}, 60_000);

afterAll(async () => {
  await target?.close();
  await users?.close();
});

const send = (request: InjectOptions): Promise<FuzzAnswer> =>
  target.check(async () => answerOf(await users.app.inject(request)));

const json = (payload: string, token?: string, headers: Record<string, string> = {}) => ({
  payload,
  headers: {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...headers,
  },
});

const passwordValues = () =>
  fc.oneof(textFieldValues(128, 8), fc.constantFrom(PASSWORD, 'password123', 'ｐａｓｓｗｏｒｄ１２３'));

describe('the credentials endpoints', () => {
  it('answers every generated registration body with 2xx or 4xx and stores nothing it refused', async () => {
    const valid = { email: 'fuzz.new@example.com', password: PASSWORD, displayName: 'Fuzz' };
    await fuzz(
      60,
      jsonBodies(valid, {
        email: emailValues(),
        password: passwordValues(),
        displayName: textFieldValues(100),
      }),
      (body) => send({ method: 'POST', url: '/auth/register', ...json(body) }),
    );
  }, 120_000);

  it('answers every generated login body with 2xx or 4xx and changes nothing when it refuses', async () => {
    const emails = fc.oneof(emailValues(), lookAlike(ada.email));
    await fuzz(
      60,
      jsonBodies({ email: ada.email, password: PASSWORD }, { email: emails, password: passwordValues() }),
      (body) => send({ method: 'POST', url: '/auth/login', ...json(body) }),
    );
  }, 120_000);

  it.each(['/auth/refresh', '/auth/logout'])(
    'answers every generated %s body with 2xx or 4xx and changes nothing when it refuses',
    async (url) => {
      await fuzz(
        50,
        jsonBodies(
          { refreshToken: 'A'.repeat(43) },
          { refreshToken: fc.oneof(opaqueTokenLike(), anyJsonValue()) },
        ),
        (body) => send({ method: 'POST', url, ...json(body) }),
      );
    },
    60_000,
  );
});

describe("the signed-in user's own account", () => {
  it('answers every generated Authorization header of GET, PATCH and DELETE /users/me with 2xx or 4xx', async () => {
    // DELETE carries a valid token of an account that does not exist, so no variant can delete one.
    const ghost = users.tokens.user();
    await fuzz(
      60,
      fc.oneof(
        fc.tuple(fc.constant('GET' as const), authorizationHeader(ada.accessToken)),
        fc.tuple(fc.constant('PATCH' as const), authorizationHeader(ada.accessToken)),
        fc.tuple(fc.constant('DELETE' as const), authorizationHeader(ghost)),
      ),
      ([method, authorization]) =>
        send({
          method,
          url: '/users/me',
          payload: method === 'PATCH' ? toJsonText({ displayName: 'Ada' }) : undefined,
          headers: { authorization, ...(method === 'PATCH' ? { 'content-type': 'application/json' } : {}) },
        }),
    );
  }, 60_000);

  it('answers every generated profile change with 2xx or 4xx and stores nothing it refused', async () => {
    await fuzz(60, jsonBodies({ displayName: 'Ada' }, { displayName: textFieldValues(100) }), (body) =>
      send({ method: 'PATCH', url: '/users/me', ...json(body, ada.accessToken) }),
    );
  }, 60_000);

  it('answers every display name around its bound, by any length measure, with 2xx or 4xx', async () => {
    await fuzz(60, stringsAroundBound(100), (displayName) =>
      send({ method: 'PATCH', url: '/users/me', ...json(toJsonText({ displayName }), ada.accessToken) }),
    );
  }, 60_000);

  it('answers every generated password change with 2xx or 4xx and stores nothing it refused', async () => {
    const valid = { currentPassword: PASSWORD, newPassword: 'a brand new passphrase 2026' };
    await fuzz(
      50,
      jsonBodies(valid, { currentPassword: passwordValues(), newPassword: passwordValues() }),
      async (body) => {
        const answer = await send({
          method: 'POST',
          url: '/users/me/password',
          ...json(body, ada.accessToken),
        });
        // A change that went through is undone, so that the next runs know the current password.
        if (answer.status === 204)
          await users.db.query(`UPDATE accounts SET password_hash = $1 WHERE id = $2`, [adasHash, ada.id]);
      },
    );
  }, 120_000);
});

describe('the administration of accounts', () => {
  it('answers every generated query of GET /users (limit, cursor) with 2xx or 4xx', async () => {
    const queries = queryStrings({ limit: numericQueryValues(1, 100), cursor: tamperedCursor() });
    await fuzz(60, fc.tuple(queries, fc.constantFrom(admin.accessToken, ada.accessToken)), ([query, token]) =>
      send({ method: 'GET', url: `/users?${query}`, headers: { authorization: `Bearer ${token}` } }),
    );
  }, 60_000);

  it('answers every tampered pagination cursor with 2xx or 4xx', async () => {
    await fuzz(60, tamperedCursor(), (cursor) =>
      send({
        method: 'GET',
        url: `/users?cursor=${percentEncode(cursor)}`,
        headers: { authorization: `Bearer ${admin.accessToken}` },
      }),
    );
  }, 60_000);

  it('answers every generated role change (path id and body) with 2xx or 4xx and stores nothing it refused', async () => {
    // Ada's id is left out: a role change would end the sessions the other properties use.
    const bystander = await users.register();
    const ids = fc.oneof(fc.constantFrom(bystander.id, admin.id), uuidLike());
    const roles = fc.oneof(
      fc.constantFrom('user', 'admin', 'ADMIN', 'Admin', 'root', 'admin '),
      anyJsonValue(),
    );
    await fuzz(60, fc.tuple(ids, jsonBodies({ role: 'user' }, { role: roles })), ([id, body]) =>
      send({ method: 'PATCH', url: `/users/${percentEncode(id)}/role`, ...json(body, admin.accessToken) }),
    );
  }, 60_000);
});

describe('the token endpoint for services', () => {
  const valid = {
    grant_type: 'client_credentials',
    scope: 'runs:purge',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
  };
  const fields = {
    grant_type: fc.oneof(
      fc.constantFrom('client_credentials', 'password', 'CLIENT_CREDENTIALS'),
      anyJsonValue(),
    ),
    scope: fc.oneof(
      fc.constantFrom('runs:purge', 'runs:purge runs:purge', 'admin', ' runs:purge', ''),
      anyJsonValue(),
    ),
    client_id: fc.oneof(fc.constantFrom(CLIENT_ID, 'users', CLIENT_ID.toUpperCase()), textFieldValues(64)),
    client_secret: fc.oneof(fc.constant(CLIENT_SECRET), textFieldValues(256)),
  };
  const basic = fc.oneof(
    fc
      .tuple(
        fc.oneof(fc.constant(CLIENT_ID), hostileText()),
        fc.oneof(fc.constant(CLIENT_SECRET), hostileText()),
      )
      .map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
    authorizationHeader(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')).map((header) =>
      header.replace(/^Bearer/, 'Basic'),
    ),
  );

  it('answers every generated JSON token request, with or without Basic credentials, with 2xx or 4xx', async () => {
    await fuzz(60, fc.tuple(jsonBodies(valid, fields), fc.option(basic)), ([body, authorization]) =>
      send({
        method: 'POST',
        url: '/oauth/token',
        ...json(body, undefined, authorization ? { authorization } : {}),
      }),
    );
  }, 60_000);

  it('answers every generated form-encoded token request with 2xx or 4xx', async () => {
    const forms = fc.oneof(
      queryStrings({
        grant_type: fc.constantFrom('client_credentials', 'password', ''),
        scope: fc.oneof(fc.constantFrom('runs:purge', ''), hostileText()),
        client_id: fc.oneof(fc.constant(CLIENT_ID), hostileText()),
        client_secret: fc.oneof(fc.constant(CLIENT_SECRET), hostileText()),
      }),
      fc
        .tuple(hostileKey(Object.keys(valid)), hostileText())
        .map(
          ([name, value]) => `grant_type=client_credentials&${percentEncode(name)}=${percentEncode(value)}`,
        ),
    );
    await fuzz(60, fc.tuple(forms, fc.option(basic)), ([form, authorization]) =>
      send({
        method: 'POST',
        url: '/oauth/token',
        payload: form,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(authorization ? { authorization } : {}),
        },
      }),
    );
  }, 60_000);
});

describe('any endpoint', () => {
  const bodies = [
    [
      'POST',
      '/auth/register',
      { email: 'fuzz.unknown@example.com', password: PASSWORD, displayName: 'Fuzz' },
    ],
    ['POST', '/auth/login', { email: 'fuzz.unknown@example.com', password: PASSWORD }],
    ['POST', '/auth/refresh', { refreshToken: 'A'.repeat(43) }],
    ['POST', '/auth/logout', { refreshToken: 'A'.repeat(43) }],
    ['PATCH', '/users/me', { displayName: 'Ada' }],
    [
      'POST',
      '/users/me/password',
      { currentPassword: 'wrong password', newPassword: 'a brand new passphrase 2026' },
    ],
    ['PATCH', `/users/${NOBODY}/role`, { role: 'user' }],
    [
      'POST',
      '/oauth/token',
      { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    ],
  ] as const;

  it.each(bodies)(
    'refuses an unknown member in a %s %s body with 400, whatever its name',
    async (method, url, valid) => {
      const token = url === '/users/me' || url === '/users/me/password' ? ada.accessToken : admin.accessToken;
      await fuzz(30, withUnknownMember(valid), async (body) => {
        const answer = await send({ method, url, ...json(body, token) });
        expect([400, 429]).toContain(answer.status);
      });
    },
    60_000,
  );

  it('answers every generated content type and body with 2xx or 4xx', async () => {
    await fuzz(
      60,
      fc.tuple(
        fc.constantFrom('/auth/login', '/auth/register', '/users/me', '/oauth/token'),
        contentType(),
        fc.oneof(hostileText({ maxLength: 200 }), jsonBodies({ email: ada.email, password: PASSWORD }, {})),
      ),
      ([url, type, payload]) =>
        send({
          method: url === '/users/me' ? 'PATCH' : 'POST',
          url,
          payload,
          headers: { 'content-type': type, authorization: `Bearer ${ada.accessToken}` },
        }),
    );
  }, 60_000);

  it('answers every generated path and request id with 2xx or 4xx', async () => {
    // The admin of this token has no account, so that no generated DELETE /users/me can delete one.
    const ghostAdmin = users.tokens.admin();
    const segment = fc.oneof(
      hostileText({ minLength: 1, maxLength: 30 }).map(percentEncode),
      uuidLike().map(percentEncode),
      fc.constantFrom('me', 'role', 'password', '%2e%2e', '%00', '%', '%ZZ', '..', ''),
    );
    await fuzz(
      60,
      fc.tuple(
        fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS'),
        fc.constantFrom('/auth', '/users', '/users/me', '/oauth', ''),
        fc.array(segment, { maxLength: 3 }),
        headerValue(140),
      ),
      ([method, prefix, segments, requestId]) =>
        send({
          method,
          url: `${prefix}/${segments.join('/')}`,
          headers: { authorization: `Bearer ${ghostAdmin}`, 'x-request-id': requestId },
        }),
    );
  }, 60_000);
});
