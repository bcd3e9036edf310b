import fc from 'fast-check';
import {
  anyJsonValue,
  authorizationHeader,
  contentType,
  deepJson,
  FUZZ_BODY_BYTES,
  fuzz,
  headerValue,
  hostileText,
  jsonBodies,
  percentEncode,
  queryStrings,
  uuidLike,
  wideJson,
} from '@runnerly/security/testing';
import { FuzzTarget } from '@runnerly/testing';
import { GatewayTestApp } from './support/gateway-test-app';

// The gateway's own handling of input, in front of recording stubs (the full-stack fuzzing proves the
// rest): every generated request gets a 2xx or a 4xx in the common error shape, leaves the built-in
// prototypes of the gateway's process untouched, and what the gateway refuses never reaches a service.

/** What a service may receive from a client's request: the allowlist, plus what the proxy sets itself. */
const FORWARDED_HEADERS = new Set([
  'host',
  'connection',
  'authorization',
  'content-type',
  'content-length',
  'accept',
  'user-agent',
  'x-forwarded-for',
  'x-request-id',
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let gateway: GatewayTestApp;
let target: FuzzTarget;

beforeAll(async () => {
  gateway = await GatewayTestApp.start();
  target = await FuzzTarget.open({ databases: [], inProcess: true });
}, 60_000);

afterAll(async () => {
  await target?.close();
  await gateway?.close();
});

const ROUTES = [
  ['POST', '/api/auth/register'],
  ['POST', '/api/auth/login'],
  ['POST', '/api/auth/login/second-factor'],
  ['POST', '/api/auth/password-reset'],
  ['POST', '/api/auth/password-reset/complete'],
  ['POST', '/api/auth/email-verification'],
  ['POST', '/api/auth/email-verification/complete'],
  ['POST', '/api/auth/refresh'],
  ['POST', '/api/auth/logout'],
  ['GET', '/api/users/me'],
  ['PATCH', '/api/users/me'],
  ['DELETE', '/api/users/me'],
  ['POST', '/api/users/me/password'],
  ['POST', '/api/users/me/reauthenticate'],
  ['GET', '/api/users/me/mfa'],
  ['POST', '/api/users/me/mfa/totp'],
  ['POST', '/api/users/me/mfa/totp/confirm'],
  ['POST', '/api/users/me/mfa/disable'],
  ['GET', '/api/users'],
  ['PATCH', '/api/users/:id/role'],
  ['DELETE', '/api/users/:id/sessions'],
  ['GET', '/api/runs'],
  ['POST', '/api/runs'],
  ['GET', '/api/runs/stats/weekly'],
  ['GET', '/api/runs/:id'],
  ['PATCH', '/api/runs/:id'],
  ['DELETE', '/api/runs/:id'],
] as const;

it('answers every generated request with 2xx or 4xx, and forwards none it refused and no header off its allowlist', async () => {
  const tokens = [gateway.tokens.user(), gateway.tokens.admin()];
  const requests = fc.record({
    route: fc.constantFrom(...ROUTES),
    id: fc.oneof(uuidLike(), hostileText({ minLength: 1, maxLength: 30 })),
    query: fc.oneof(
      fc.constant(''),
      queryStrings({ limit: fc.string(), cursor: hostileText(), userId: uuidLike() }),
    ),
    authorization: fc.constantFrom(...tokens).chain(authorizationHeader),
    contentType: fc.oneof(fc.constant('application/json'), contentType()),
    body: fc.oneof(
      jsonBodies(
        { email: 'ada@example.com', title: 'Run' },
        { email: anyJsonValue(), title: anyJsonValue() },
      ),
      deepJson(FUZZ_BODY_BYTES - 16),
      wideJson(FUZZ_BODY_BYTES - 16),
      hostileText({ maxLength: 200 }),
    ),
    spoofed: headerValue(60),
  });
  await fuzz(
    80,
    requests,
    async ({ route: [method, template], id, query, authorization, contentType, body, spoofed }) => {
      const forwardedBefore = gateway.forwardedCount;
      const path = template.replace(':id', percentEncode(id));
      const answer = await target.check(async () => {
        const response = await gateway.fetch(`${path}${query ? `?${query}` : ''}`, {
          method,
          body: method === 'POST' || method === 'PATCH' ? body : undefined,
          headers: {
            authorization,
            'content-type': contentType,
            'x-forwarded-for': spoofed,
            'x-request-id': spoofed,
            'x-user-id': spoofed,
            cookie: spoofed,
          },
        });
        return { status: response.status, body: await response.text() };
      });
      const forwarded = gateway.forwardedCount - forwardedBefore;
      // The stubs answer 2xx: a 4xx is the gateway's own refusal.
      expect(forwarded).toBe(answer.status < 400 ? 1 : 0);
      const upstream = gateway.users.requests.length > 0 ? gateway.users.last : gateway.runs.last;
      if (forwarded === 1) {
        expect(Object.keys(upstream!.headers).filter((name) => !FORWARDED_HEADERS.has(name))).toEqual([]);
        expect(upstream!.headers['x-forwarded-for']).toBe('127.0.0.1');
        expect(upstream!.headers['x-request-id']).toMatch(UUID);
      }
      gateway.reset();
    },
  );
}, 120_000);
