import { ErrorCode } from '@runnerly/security';
import { GatewayTestApp } from './support/gateway-test-app';

// Admin powers need a second factor here, as in production (where it is the default).
let gateway: GatewayTestApp;

beforeAll(async () => {
  gateway = await GatewayTestApp.start({ ADMIN_SECOND_FACTOR_REQUIRED: 'true' });
}, 60_000);

afterAll(() => gateway?.close());

it('refuses admin routes to an admin whose session entered no second factor, with 403 saying why, forwarding nothing', async () => {
  const response = await gateway.fetch('/api/users', {
    token: gateway.tokens.admin({ secondFactor: false }),
  });

  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ code: ErrorCode.SecondFactorRequired });
  expect(gateway.forwardedCount).toBe(0);
});

it('forwards the admin routes of an admin whose session entered a second factor', async () => {
  const response = await gateway.fetch('/api/users', { token: gateway.tokens.admin({ secondFactor: true }) });

  expect(response.status).toBe(200);
  expect(gateway.users.last?.url).toBe('/users');
});

it('forwards the user routes of an admin without a second factor, who acts as a user', async () => {
  const response = await gateway.fetch('/api/runs', { token: gateway.tokens.admin({ secondFactor: false }) });
  expect(response.status).toBe(200);
});
