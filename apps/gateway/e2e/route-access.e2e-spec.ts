import { RouteAccessAudit } from '@runnerly/security';
import { routesOutsideNest } from '@runnerly/security/testing';
import { GatewayTestApp } from './support/gateway-test-app';

/**
 * The public surface, whom each route is for. The gateway checks roles itself before forwarding, and the
 * services check again. A route added without saying so stops the gateway at start.
 */
const ACCESS = [
  ['GET', '/.well-known/jwks.json', 'public'],
  ['POST', '/api/auth/browser/login', 'public'],
  ['POST', '/api/auth/browser/login/second-factor', 'public'],
  ['POST', '/api/auth/browser/logout', 'public'],
  ['POST', '/api/auth/browser/refresh', 'public'],
  ['POST', '/api/auth/email-verification', 'public'],
  ['POST', '/api/auth/email-verification/complete', 'public'],
  ['POST', '/api/auth/login', 'public'],
  ['POST', '/api/auth/login/second-factor', 'public'],
  ['POST', '/api/auth/logout', 'public'],
  ['GET', '/api/auth/oidc', 'public'],
  ['GET', '/api/auth/oidc/callback', 'public'],
  ['GET', '/api/auth/oidc/start', 'public'],
  ['POST', '/api/auth/password-reset', 'public'],
  ['POST', '/api/auth/password-reset/complete', 'public'],
  ['POST', '/api/auth/refresh', 'public'],
  ['POST', '/api/auth/register', 'public'],
  ['GET', '/api/runs', 'roles: user admin'],
  ['POST', '/api/runs', 'roles: user admin'],
  ['DELETE', '/api/runs/:id', 'roles: user admin'],
  ['GET', '/api/runs/:id', 'roles: user admin'],
  ['PATCH', '/api/runs/:id', 'roles: user admin'],
  ['GET', '/api/runs/stats/weekly', 'roles: user admin'],
  ['GET', '/api/users', 'roles: admin'],
  ['PATCH', '/api/users/:id/role', 'roles: admin'],
  ['DELETE', '/api/users/:id/sessions', 'roles: admin'],
  ['DELETE', '/api/users/me', 'roles: user admin'],
  ['GET', '/api/users/me', 'roles: user admin'],
  ['PATCH', '/api/users/me', 'roles: user admin'],
  ['POST', '/api/users/me/identities/oidc', 'roles: user admin'],
  ['GET', '/api/users/me/mfa', 'roles: user admin'],
  ['POST', '/api/users/me/mfa/disable', 'roles: user admin'],
  ['POST', '/api/users/me/mfa/totp', 'roles: user admin'],
  ['POST', '/api/users/me/mfa/totp/confirm', 'roles: user admin'],
  ['POST', '/api/users/me/password', 'roles: user admin'],
  ['POST', '/api/users/me/reauthenticate', 'roles: user admin'],
  ['DELETE', '/api/users/me/sessions', 'roles: user admin'],
  ['GET', '/api/users/me/sessions', 'roles: user admin'],
  ['DELETE', '/api/users/me/sessions/:id', 'roles: user admin'],
  ['DELETE', '/api/users/me/sessions/others', 'roles: user admin'],
  ['GET', '/health/live', 'public'],
  ['GET', '/health/ready', 'public'],
];

describe('the routes of the gateway', () => {
  let gateway: GatewayTestApp;
  beforeAll(async () => {
    gateway = await GatewayTestApp.start();
  }, 60_000);
  afterAll(() => gateway?.close());

  it('each declare whom they are for: public or a role', () => {
    const table = gateway.app.get(RouteAccessAudit).table();
    expect(table.map(({ method, path, access }) => [method, path, access])).toEqual(ACCESS);
  });

  it('are all Nest routes, behind the guards, when the API docs are off', () => {
    expect(routesOutsideNest(gateway.app)).toEqual([]);
  });
});

describe('the routes of the gateway in development', () => {
  let gateway: GatewayTestApp;
  beforeAll(async () => {
    gateway = await GatewayTestApp.start({ DOCS_ENABLED: 'true', CORS_ORIGINS: 'https://app.runnerly.test' });
  }, 60_000);
  afterAll(() => gateway?.close());

  it('add only the API docs and the CORS preflight, which serve no data', () => {
    expect(routesOutsideNest(gateway.app)).toEqual([
      'GET /docs',
      'GET /docs-yaml',
      'GET /docs/',
      'GET /docs/*',
      'GET /docs/LICENSE',
      'GET /docs/docs/swagger-ui-init.js',
      'GET /docs/index.html',
      'GET /docs/openapi.json',
      'GET /docs/swagger-ui-init.js',
      'OPTIONS *',
    ]);
  });
});
