import { FORGED_TOKENS, bearer, TestKeys, TestTokens } from '@runnerly/security/testing';
import { RunsTestService } from './support/runs-test-service';

const MIN_REFETCH_INTERVAL_MS = 500;

let service: RunsTestService;

beforeAll(async () => {
  service = await RunsTestService.start({ JWKS_MIN_REFETCH_INTERVAL_MS: String(MIN_REFETCH_INTERVAL_MS) });
}, 60_000);

afterAll(() => service?.close());

const listRuns = (headers: Record<string, string> = {}) =>
  service.app.inject({ method: 'GET', url: '/runs', headers });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('accepts a valid token, verified with the keys fetched from the JWKS URL', async () => {
  const response = await listRuns(bearer(service.tokens.user()));
  expect(response.statusCode).toBe(200);
  expect(service.jwks.fetches).toBeGreaterThanOrEqual(1);
});

it('answers 401 without a token, in the common error shape', async () => {
  const response = await listRuns();
  expect(response.statusCode).toBe(401);
  expect(response.json()).toEqual({
    statusCode: 401,
    error: 'Unauthorized',
    code: 'AUTH.UNAUTHENTICATED',
    message: expect.any(String),
    requestId: expect.any(String),
  });
});

it.each([
  ['a Basic credential', 'Basic dXNlcjpwYXNz'],
  ['a bearer without token', 'Bearer '],
  ['a token that is not a JWT', 'Bearer not.a.jwt'],
])('answers 401 to %s', async (_case, authorization) => {
  expect((await listRuns({ authorization })).statusCode).toBe(401);
});

it.each(FORGED_TOKENS)('refuses a user token %s with 401', async (forgery) => {
  const response = await listRuns(bearer(service.tokens.forge(forgery, 'user')));
  expect(response.statusCode).toBe(401);
  expect(response.json()).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
});

it.each(FORGED_TOKENS)('refuses a service token %s on the purge route with 401', async (forgery) => {
  const response = await service.app.inject({
    method: 'DELETE',
    url: `/internal/users/${service.user().id}/runs`,
    headers: bearer(service.tokens.forge(forgery, 'service')),
  });
  expect(response.statusCode).toBe(401);
});

it('tolerates a little clock skew on expiry, not more', async () => {
  expect((await listRuns(bearer(service.tokens.expired('user', 5)))).statusCode).toBe(200);
  expect((await listRuns(bearer(service.tokens.expired('user', 120)))).statusCode).toBe(401);
});

it('refuses a token from another issuer even when signed by the right key', async () => {
  const other = new TestTokens(service.keys, { issuer: 'https://users.elsewhere.test' });
  expect((await listRuns(bearer(other.user()))).statusCode).toBe(401);
});

it('asks the issuer for its keys again at a bounded rate, however many unknown kids arrive', async () => {
  await sleep(MIN_REFETCH_INTERVAL_MS + 100);
  const before = service.jwks.fetches;
  const forged = Array.from({ length: 10 }, (_unused, index) =>
    service.tokens.signed(service.tokens.claims('user'), { kid: `forged-kid-${index}` }),
  );
  const responses = await Promise.all(forged.map((token) => listRuns(bearer(token))));
  expect(responses.map((response) => response.statusCode)).toEqual(forged.map(() => 401));
  expect(service.jwks.fetches - before).toBe(1);
});

it('accepts tokens of a new signing key once the issuer publishes it, without a restart', async () => {
  const rotated = TestKeys.generate();
  const newTokens = new TestTokens(rotated);
  const oldToken = service.tokens.user();

  // Before the issuer publishes the new key, its tokens are unknown.
  await sleep(MIN_REFETCH_INTERVAL_MS + 100);
  expect((await listRuns(bearer(newTokens.user()))).statusCode).toBe(401);

  // The rotation: a new active key, the old one still published until its tokens expire.
  service.jwks.publish({ keys: [...rotated.ring.jwks().keys, ...service.keys.ring.jwks().keys] });
  await sleep(MIN_REFETCH_INTERVAL_MS + 100);
  const fetchesBefore = service.jwks.fetches;
  expect((await listRuns(bearer(newTokens.user()))).statusCode).toBe(200);
  expect(service.jwks.fetches).toBe(fetchesBefore + 1);
  expect((await listRuns(bearer(oldToken))).statusCode).toBe(200);
});

describe('health', () => {
  it.each(['/health/live', '/health/ready'])(
    'answers %s without a token and without details',
    async (url) => {
      const response = await service.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    },
  );
});
