import { RouteAccessAudit } from '@runnerly/security';
import { routesOutsideNest } from '@runnerly/security/testing';
import { UsersTestApp } from './support/users-test-app';

/** Whom each route of users is for. A route added without saying so stops the service at start. */
const ACCESS = [
  ['GET', '/.well-known/jwks.json', 'public'],
  ['POST', '/auth/email-verification', 'public'],
  ['POST', '/auth/email-verification/complete', 'public'],
  ['POST', '/auth/login', 'public'],
  ['POST', '/auth/login/second-factor', 'public'],
  ['POST', '/auth/logout', 'public'],
  ['GET', '/auth/oidc', 'public'],
  ['POST', '/auth/oidc/authorizations', 'public'],
  ['POST', '/auth/oidc/callback', 'public'],
  ['POST', '/auth/password-reset', 'public'],
  ['POST', '/auth/password-reset/complete', 'public'],
  ['POST', '/auth/refresh', 'public'],
  ['POST', '/auth/register', 'public'],
  ['GET', '/health/live', 'public'],
  ['GET', '/health/ready', 'public'],
  ['POST', '/oauth/token', 'public'],
  ['GET', '/users', 'roles: admin'],
  ['PATCH', '/users/:id/role', 'roles: admin'],
  ['DELETE', '/users/:id/sessions', 'roles: admin'],
  ['DELETE', '/users/me', 'roles: user admin'],
  ['GET', '/users/me', 'roles: user admin'],
  ['PATCH', '/users/me', 'roles: user admin'],
  ['POST', '/users/me/identities/oidc', 'roles: user admin'],
  ['GET', '/users/me/mfa', 'roles: user admin'],
  ['POST', '/users/me/mfa/disable', 'roles: user admin'],
  ['POST', '/users/me/mfa/totp', 'roles: user admin'],
  ['POST', '/users/me/mfa/totp/confirm', 'roles: user admin'],
  ['POST', '/users/me/password', 'roles: user admin'],
  ['POST', '/users/me/reauthenticate', 'roles: user admin'],
  ['DELETE', '/users/me/sessions', 'roles: user admin'],
  ['GET', '/users/me/sessions', 'roles: user admin'],
  ['DELETE', '/users/me/sessions/:id', 'roles: user admin'],
  ['DELETE', '/users/me/sessions/others', 'roles: user admin'],
];

let users: UsersTestApp;
beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);
afterAll(() => users?.close());

describe('the routes of users', () => {
  it('each declare whom they are for: public, a role or a scope', () => {
    const table = users.app.get(RouteAccessAudit).table();
    expect(table.map(({ method, path, access }) => [method, path, access])).toEqual(ACCESS);
  });

  // The tests boot the service as main.ts does (NODE_ENV=test): with the document the gateway merges into
  // its API docs, which production leaves out.
  it('are all Nest routes, behind the guards, but for the OpenAPI document outside production, which serves no data', () => {
    expect(routesOutsideNest(users.app)).toEqual(['GET /openapi.json']);
  });
});
