import fc from 'fast-check';
import {
  answerOf,
  anyJsonValue,
  authorizationHeader,
  contentType,
  dateTimeString,
  emailValues,
  type FuzzAnswer,
  fuzz,
  headerValue,
  hostileText,
  instantNearNow,
  jsonBodies,
  lookAlike,
  numbersAround,
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
import { type Account, eventually, FuzzTarget, GatewayClient } from '@runnerly/testing';
import { ADMIN, Stack } from './support/stack';

// Property-based fuzzing of the public API through the gateway, the three services running as they do in
// production: each generated request must get a 2xx or a 4xx in the common error shape (never a 5xx,
// whichever process fails), and a refusal must change no row in either database. FUZZ_SEED and FUZZ_RUNS
// steer the runs.

let stack: Stack;
let api: GatewayClient;
let target: FuzzTarget;
let ada: Account;
let admin: Omit<Account, 'id'>;
let adasRun: string;
/** The token of an account deleted before the fuzzing: a generated DELETE /api/users/me deletes nothing. */
let ghostToken: string;

beforeAll(async () => {
  stack = await Stack.start();
  api = new GatewayClient(stack.gatewayUrl);
  ada = await api.signUp('ada');
  admin = await api.logIn(ADMIN.email, ADMIN.password);
  adasRun = (await api.createRun(ada.accessToken)).id;
  ghostToken = (await api.signUp('ghost')).accessToken;
  await api.call('DELETE', '/api/users/me', { token: ghostToken });
  await eventually(async () =>
    expect(await stack.database('users').query('SELECT 1 FROM run_purge_requests')).toEqual([]),
  );
  target = await FuzzTarget.open({
    databases: [
      {
        db: stack.database('users'),
        tables: ['accounts', 'sessions', 'refresh_tokens', 'run_purge_requests'],
      },
      { db: stack.database('runs'), tables: ['runs', 'erased_accounts'] },
    ],
    inProcess: false,
  });
}, 120_000);

afterAll(async () => {
  await target?.close();
  await stack?.stop();
});

const send = (
  method: string,
  path: string,
  options: { token?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<FuzzAnswer> =>
  target.check(async () =>
    answerOf(
      await api.send(method, path, {
        body: options.body,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
      }),
    ),
  );

const PASSWORD = 'a good long passphrase 1';
const passwords = () => fc.oneof(textFieldValues(128, 8), fc.constantFrom(PASSWORD, 'password123'));
const RUN_FIELDS = {
  title: textFieldValues(100),
  notes: fc.oneof(textFieldValues(2000, 0), fc.constant(null)),
  distanceMeters: numbersAround(1, 1_000_000),
  durationSeconds: numbersAround(1, 604_800),
  startedAt: fc.oneof(dateTimeString(), instantNearNow(10 * 60_000)),
};
const VALID_RUN = {
  title: 'Easy run',
  distanceMeters: 8000,
  durationSeconds: 2700,
  startedAt: '2024-05-01T07:30:00.000Z',
};

describe('/api/auth through the gateway', () => {
  it('answers every generated registration and login body with 2xx or 4xx and stores nothing it refused', async () => {
    const register = jsonBodies(
      { email: 'fuzz.new@stack.example', password: PASSWORD, displayName: 'Fuzz' },
      { email: emailValues(), password: passwords(), displayName: textFieldValues(100) },
    );
    const login = jsonBodies(
      { email: ada.email, password: ada.password },
      { email: fc.oneof(emailValues(), lookAlike(ada.email)), password: passwords() },
    );
    await fuzz(
      40,
      fc.oneof(
        register.map((body) => ['/api/auth/register', body] as const),
        login.map((body) => ['/api/auth/login', body] as const),
      ),
      ([path, body]) => send('POST', path, { body }),
    );
  }, 120_000);

  it('answers every generated refresh and logout body with 2xx or 4xx and changes nothing when it refuses', async () => {
    const bodies = jsonBodies(
      { refreshToken: 'A'.repeat(43) },
      { refreshToken: fc.oneof(opaqueTokenLike(), anyJsonValue()) },
    );
    await fuzz(
      40,
      fc.tuple(fc.constantFrom('/api/auth/refresh', '/api/auth/logout'), bodies),
      ([path, body]) => send('POST', path, { body }),
    );
  }, 60_000);
});

describe('/api/users through the gateway', () => {
  it('answers every generated profile change, password change and Authorization header with 2xx or 4xx', async () => {
    const changes = fc.oneof(
      jsonBodies({ displayName: 'Ada' }, { displayName: textFieldValues(100) }).map(
        (body) => ['PATCH', '/api/users/me', body] as const,
      ),
      stringsAroundBound(100).map(
        (displayName) => ['PATCH', '/api/users/me', toJsonText({ displayName })] as const,
      ),
      jsonBodies(
        { currentPassword: 'not the password', newPassword: 'another long passphrase 2' },
        { currentPassword: passwords(), newPassword: passwords() },
      ).map((body) => ['POST', '/api/users/me/password', body] as const),
    );
    await fuzz(
      40,
      fc.tuple(changes, authorizationHeader(ada.accessToken)),
      ([[method, path, body], authorization]) => send(method, path, { body, headers: { authorization } }),
    );
  }, 60_000);

  it('answers every generated admin request (list query, role change) with 2xx or 4xx', async () => {
    const requests = fc.oneof(
      queryStrings({ limit: numericQueryValues(1, 100), cursor: tamperedCursor() }).map(
        (query) => ['GET', `/api/users?${query}`, undefined] as const,
      ),
      fc
        .tuple(
          fc.oneof(fc.constant(ada.id), uuidLike()),
          jsonBodies(
            { role: 'user' },
            { role: fc.oneof(fc.constantFrom('user', 'admin', 'root'), anyJsonValue()) },
          ),
        )
        .map(([id, body]) => ['PATCH', `/api/users/${percentEncode(id)}/role`, body] as const),
    );
    await fuzz(
      40,
      fc.tuple(requests, fc.constantFrom(admin.accessToken, ada.accessToken)),
      ([[method, path, body], token]) => send(method, path, { body, token }),
    );
  }, 60_000);
});

describe('/api/runs through the gateway', () => {
  it('answers every generated new run or change of a run with 2xx or 4xx and stores nothing it refused', async () => {
    const requests = fc.oneof(
      jsonBodies(VALID_RUN, RUN_FIELDS).map((body) => ['POST', '/api/runs', body] as const),
      fc
        .tuple(fc.oneof(fc.constant(adasRun), uuidLike()), jsonBodies({ title: 'Evening run' }, RUN_FIELDS))
        .map(([id, body]) => ['PATCH', `/api/runs/${percentEncode(id)}`, body] as const),
    );
    await fuzz(50, requests, ([method, path, body]) => send(method, path, { body, token: ada.accessToken }));
  }, 60_000);

  it('answers every generated list, statistics, read and deletion with 2xx or 4xx', async () => {
    const requests = fc.oneof(
      queryStrings({
        limit: numericQueryValues(1, 100),
        cursor: tamperedCursor(),
        from: dateTimeString(),
        to: dateTimeString(),
        userId: fc.oneof(fc.constant(ada.id), uuidLike()),
      }).map((query) => ['GET', `/api/runs?${query}`] as const),
      queryStrings({ weeks: numericQueryValues(1, 52), userId: uuidLike() }).map(
        (query) => ['GET', `/api/runs/stats/weekly?${query}`] as const,
      ),
      fc
        .oneof(fc.constant(adasRun), uuidLike())
        .map((id) => ['GET', `/api/runs/${percentEncode(id)}`] as const),
      // Deletions name runs that do not exist: the fixture stays.
      uuidLike().map((id) => ['DELETE', `/api/runs/${percentEncode(id)}`] as const),
    );
    await fuzz(
      50,
      fc.tuple(requests, fc.constantFrom(ada.accessToken, admin.accessToken)),
      ([[method, path], token]) => send(method, path, { token }),
    );
  }, 60_000);
});

describe('the gateway itself', () => {
  it.each([
    ['POST', '/api/auth/login', { email: 'fuzz.unknown@stack.example', password: PASSWORD }],
    ['PATCH', '/api/users/me', { displayName: 'Ada' }],
    ['POST', '/api/runs', VALID_RUN],
  ] as const)(
    'passes no unknown member of a %s %s body: 400, whatever its name',
    async (method, path, valid) => {
      await fuzz(25, withUnknownMember(valid), async (body) => {
        const answer = await send(method, path, { body, token: ada.accessToken });
        expect([400, 429]).toContain(answer.status);
      });
    },
    60_000,
  );

  it('answers every generated content type, header and body with 2xx or 4xx', async () => {
    await fuzz(
      40,
      fc.tuple(
        fc.constantFrom('/api/auth/login', '/api/users/me', '/api/runs'),
        contentType(),
        fc.oneof(hostileText({ maxLength: 200 }), jsonBodies(VALID_RUN, {})),
        headerValue(),
      ),
      ([path, type, body, extra]) =>
        send(path === '/api/users/me' ? 'PATCH' : 'POST', path, {
          body,
          token: ada.accessToken,
          headers: { 'content-type': type, 'x-request-id': extra, 'x-forwarded-for': extra, accept: extra },
        }),
    );
  }, 60_000);

  it('answers every generated path, internal ones included, with 2xx or 4xx', async () => {
    const segment = fc.oneof(
      hostileText({ minLength: 1, maxLength: 30 }).map(percentEncode),
      uuidLike().map(percentEncode),
      fc.constantFrom(
        'me',
        'role',
        'password',
        'stats',
        'weekly',
        'internal',
        'oauth',
        'token',
        '%2e%2e',
        '%2F',
        '%00',
        '%',
        '%ZZ',
        '',
      ),
    );
    await fuzz(
      50,
      fc.tuple(
        fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS'),
        fc.constantFrom('/api', '/api/users', '/api/runs', '/api/auth', '/oauth', '/internal/users', ''),
        fc.array(segment, { maxLength: 3 }),
      ),
      ([method, prefix, segments]) => send(method, `${prefix}/${segments.join('/')}`, { token: ghostToken }),
    );
  }, 60_000);
});
