import { randomUUID } from 'node:crypto';
import { AuditEvent } from '@runnerly/security';
import { FORGED_USER_TOKENS, KeyUrlTrap, TestKeys, TestTokens } from '@runnerly/security/testing';
import { GatewayTestApp } from './support/gateway-test-app';

let gateway: GatewayTestApp;
let trap: KeyUrlTrap;
let forger: TestTokens;
let userToken: string;
let adminToken: string;

beforeAll(async () => {
  const keys = TestKeys.generate();
  gateway = await GatewayTestApp.start({}, keys);
  trap = await KeyUrlTrap.start(keys);
  forger = new TestTokens(keys, { keyUrl: trap.url });
  userToken = gateway.tokens.user();
  adminToken = gateway.tokens.admin();
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await trap?.close();
});
beforeEach(() => gateway.reset());

const id = randomUUID();

describe('the route table: each public route goes to one service, at one path', () => {
  it.each([
    ['POST', '/api/auth/register', 'users', '/auth/register', undefined],
    ['POST', '/api/auth/login', 'users', '/auth/login', undefined],
    ['POST', '/api/auth/login/second-factor', 'users', '/auth/login/second-factor', undefined],
    ['POST', '/api/auth/password-reset', 'users', '/auth/password-reset', undefined],
    ['POST', '/api/auth/password-reset/complete', 'users', '/auth/password-reset/complete', undefined],
    ['POST', '/api/auth/email-verification', 'users', '/auth/email-verification', undefined],
    [
      'POST',
      '/api/auth/email-verification/complete',
      'users',
      '/auth/email-verification/complete',
      undefined,
    ],
    ['POST', '/api/auth/refresh', 'users', '/auth/refresh', undefined],
    ['POST', '/api/auth/logout', 'users', '/auth/logout', undefined],
    ['GET', '/api/users/me', 'users', '/users/me', 'user'],
    ['PATCH', '/api/users/me', 'users', '/users/me', 'user'],
    ['DELETE', '/api/users/me', 'users', '/users/me', 'user'],
    ['POST', '/api/users/me/password', 'users', '/users/me/password', 'user'],
    ['GET', '/api/users/me/mfa', 'users', '/users/me/mfa', 'user'],
    ['POST', '/api/users/me/mfa/totp', 'users', '/users/me/mfa/totp', 'user'],
    ['POST', '/api/users/me/mfa/totp/confirm', 'users', '/users/me/mfa/totp/confirm', 'user'],
    ['POST', '/api/users/me/mfa/disable', 'users', '/users/me/mfa/disable', 'user'],
    ['POST', '/api/users/me/reauthenticate', 'users', '/users/me/reauthenticate', 'user'],
    ['GET', '/api/users/me/sessions', 'users', '/users/me/sessions', 'user'],
    ['DELETE', '/api/users/me/sessions', 'users', '/users/me/sessions', 'user'],
    ['DELETE', '/api/users/me/sessions/others', 'users', '/users/me/sessions/others', 'user'],
    ['DELETE', `/api/users/me/sessions/${id}`, 'users', `/users/me/sessions/${id}`, 'user'],
    ['GET', '/api/users?limit=5', 'users', '/users?limit=5', 'admin'],
    ['PATCH', `/api/users/${id}/role`, 'users', `/users/${id}/role`, 'admin'],
    ['DELETE', `/api/users/${id}/sessions`, 'users', `/users/${id}/sessions`, 'admin'],
    [
      'GET',
      '/api/runs?limit=10&from=2026-01-01T00:00:00Z',
      'runs',
      '/runs?limit=10&from=2026-01-01T00:00:00Z',
      'user',
    ],
    ['POST', '/api/runs', 'runs', '/runs', 'user'],
    ['GET', '/api/runs/stats/weekly?weeks=4', 'runs', '/runs/stats/weekly?weeks=4', 'user'],
    ['GET', `/api/runs/${id}`, 'runs', `/runs/${id}`, 'user'],
    ['PATCH', `/api/runs/${id}`, 'runs', `/runs/${id}`, 'user'],
    ['DELETE', `/api/runs/${id}`, 'runs', `/runs/${id}`, 'user'],
    ['GET', '/.well-known/jwks.json', 'users', '/.well-known/jwks.json', undefined],
  ] as const)('%s %s → %s %s', async (method, path, upstream, upstreamPath, who) => {
    const token = who === 'admin' ? adminToken : who === 'user' ? userToken : undefined;
    const json = method === 'POST' || method === 'PATCH' ? { probe: 1 } : undefined;
    const response = await gateway.fetch(path, { method, token, json });

    expect(response.status).toBeLessThan(300);
    expect(gateway[upstream].requests).toHaveLength(1);
    expect(gateway[upstream].last).toMatchObject({ method, url: upstreamPath });
    if (json) expect(JSON.parse(gateway[upstream].last!.body)).toEqual(json);
    expect(gateway.forwardedCount).toBe(1);
  });

  it("passes the service's status and body through unchanged", async () => {
    gateway.runs.handler = (_request, response) =>
      void response
        .writeHead(422, { 'content-type': 'application/json' })
        .end('{"statusCode":422,"code":"X"}');
    const response = await gateway.fetch('/api/runs', { token: userToken });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ statusCode: 422, code: 'X' });
  });
});

describe('internal and unknown routes are never reachable', () => {
  it.each([
    ['POST', '/oauth/token'],
    ['DELETE', `/internal/users/${id}/runs`],
    ['GET', '/openapi.json'],
    ['GET', '/auth/login'],
    ['GET', '/users/me'],
    ['GET', '/runs'],
    ['GET', '/api/internal/users'],
    ['DELETE', `/api/runs/../../internal/users/${id}/runs`],
    ['DELETE', `/api/runs/%2e%2e/%2e%2e/internal/users/${id}/runs`],
    ['DELETE', `/api/runs/..%2f..%2finternal%2fusers%2f${id}%2fruns`],
    ['DELETE', `/api/runs/%2E%2E%2F%2E%2E%2Finternal%2Fusers%2F${id}%2Fruns`],
    ['GET', '/api/runs/..%5c..%5cinternal'],
    ['GET', '/api//runs'],
    ['GET', '/api/./runs'],
    ['POST', '/api/auth/../../oauth/token'],
  ])('%s %s → 404, nothing forwarded', async (method, path) => {
    const response = await gateway.raw(method, path);
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 404, code: 'RESOURCE.NOT_FOUND' });
    expect(gateway.forwardedCount).toBe(0);
  });

  it('refuses a malformed id with 400 before forwarding', async () => {
    const response = await gateway.fetch('/api/runs/not-a-uuid', { token: userToken });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ fields: [{ field: 'id' }] });
    expect(gateway.forwardedCount).toBe(0);
  });

  it.each(['PUT', 'TRACE'])('answers %s with 405', async (method) => {
    expect((await gateway.raw(method, '/api/runs')).status).toBe(405);
    expect(gateway.forwardedCount).toBe(0);
  });
});

describe('tokens are pre-checked at the edge (and checked again by the services)', () => {
  it('answers 401 without a token, forwarding nothing', async () => {
    const response = await gateway.fetch('/api/runs');
    expect(response.status).toBe(401);
    expect(gateway.forwardedCount).toBe(0);
  });

  it.each(FORGED_USER_TOKENS)('refuses a token %s with 401, audited, forwarding nothing', async (forgery) => {
    const response = await gateway.fetch('/api/users/me', { token: forger.forge(forgery) });
    expect(response.status).toBe(401);
    const requestId = response.headers.get('x-request-id');
    expect(await response.json()).toMatchObject({ statusCode: 401, code: 'AUTH.UNAUTHENTICATED', requestId });
    expect(gateway.logs.auditEvents(AuditEvent.TokenRejected).at(-1)).toMatchObject({
      requestId,
      audit: { event: 'auth.token.rejected', expected: 'user token' },
    });
    expect(gateway.forwardedCount).toBe(0);
    expect(trap.requests).toEqual([]);
  });

  it('never fetched a URL named in a token header', () => {
    expect(trap.requests).toEqual([]);
  });

  it('refuses a service token on public API routes (401)', async () => {
    expect((await gateway.fetch('/api/runs', { token: gateway.tokens.service(['runs:purge']) })).status).toBe(
      401,
    );
    expect(gateway.forwardedCount).toBe(0);
  });

  it('answers 403 to a user on admin routes, forwarding nothing', async () => {
    expect((await gateway.fetch('/api/users', { token: userToken })).status).toBe(403);
    expect(gateway.forwardedCount).toBe(0);
  });

  it("forwards the caller's token, for the service to verify again", async () => {
    await gateway.fetch('/api/runs', { token: userToken });
    expect(gateway.runs.last?.headers.authorization).toBe(`Bearer ${userToken}`);
  });
});
