import { randomUUID } from 'node:crypto';
import { AuditEvent } from '@runnerly/security';
import {
  bearer,
  FORGED_SERVICE_TOKENS,
  FORGED_USER_TOKENS,
  KeyUrlTrap,
  KID_FORGERIES,
  TestKeys,
  TestTokens,
} from '@runnerly/security/testing';
import { type LightMyRequestResponse } from 'fastify';
import { RunsTestService } from './support/runs-test-service';

const MIN_REFETCH_INTERVAL_MS = 500;

let service: RunsTestService;
let trap: KeyUrlTrap;
let forger: TestTokens;

beforeAll(async () => {
  service = await RunsTestService.start({ JWKS_MIN_REFETCH_INTERVAL_MS: String(MIN_REFETCH_INTERVAL_MS) });
  trap = await KeyUrlTrap.start(service.keys);
  forger = new TestTokens(service.keys, { keyUrl: trap.url });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await trap?.close();
});

const listRuns = (headers: Record<string, string> = {}) =>
  service.app.inject({ method: 'GET', url: '/runs', headers });
const purge = (token: string) =>
  service.app.inject({
    method: 'DELETE',
    url: `/internal/users/${randomUUID()}/runs`,
    headers: bearer(token),
  });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A refusal: 401 in the common error shape, audited as the kind of token expected, no URL fetched. */
function expectRefused(response: LightMyRequestResponse, expected: 'user token' | 'service token'): void {
  expect(response.statusCode).toBe(401);
  expect(response.json()).toMatchObject({
    statusCode: 401,
    code: 'AUTH.UNAUTHENTICATED',
    requestId: response.headers['x-request-id'],
  });
  expect(service.logs.auditEvents(AuditEvent.TokenRejected).at(-1)).toMatchObject({
    requestId: response.headers['x-request-id'],
    audit: { event: 'auth.token.rejected', expected },
  });
  expect(trap.requests).toEqual([]);
}

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

it('accepts the valid tokens the forgeries below start from (the control)', async () => {
  expect((await listRuns(bearer(forger.user()))).statusCode).toBe(200);
  expect((await purge(forger.service(['runs:purge']))).statusCode).toBe(204);
});

it.each(FORGED_USER_TOKENS)('refuses a user token %s with 401, and audits it', async (forgery) => {
  expectRefused(await listRuns(bearer(forger.forge(forgery, 'user'))), 'user token');
});

it.each(FORGED_SERVICE_TOKENS)(
  'refuses a service token %s on the purge route with 401, and audits it',
  async (forgery) => {
    expectRefused(await purge(forger.forge(forgery, 'service', { scope: 'runs:purge' })), 'service token');
  },
);

it('never fetched a URL named in a token header', () => {
  expect(trap.requests).toEqual([]);
});

it('asks the issuer for no keys for kids that are not key ids, however many arrive', async () => {
  await sleep(MIN_REFETCH_INTERVAL_MS + 100);
  const before = service.jwks.fetches;
  for (const forgery of KID_FORGERIES.filter((name) => name !== 'naming an unknown kid')) {
    expect((await listRuns(bearer(forger.forge(forgery, 'user')))).statusCode).toBe(401);
  }
  expect(service.jwks.fetches).toBe(before);
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
