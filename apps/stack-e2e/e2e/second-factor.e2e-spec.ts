import { Secret, TOTP } from 'otpauth';
import { GatewayClient } from '@runnerly/testing';
import { Stack } from './support/stack';

let stack: Stack;
let api: GatewayClient;

beforeAll(async () => {
  stack = await Stack.start();
  api = new GatewayClient(stack.gatewayUrl);
}, 120_000);

afterAll(() => stack?.stop());

const codeOf = (secret: string, stepsAhead = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });

it('turns two-factor on and logs in with password and code through the gateway; the login token alone opens nothing', async () => {
  const ada = await api.signUp('two-factor');
  const { secret } = (
    await api.call<{ secret: string }>('POST', '/api/users/me/mfa/totp', { token: ada.accessToken, json: {} })
  ).body;
  const confirmed = await api.call<{ recoveryCodes: string[] }>('POST', '/api/users/me/mfa/totp/confirm', {
    token: ada.accessToken,
    json: { code: codeOf(secret) },
  });
  expect(confirmed.status).toBe(200);

  const first = await api.call<{ loginToken: string }>('POST', '/api/auth/login', {
    json: { email: ada.email, password: ada.password },
  });
  expect(first.body).toEqual({ secondFactorRequired: true, loginToken: expect.any(String), expiresIn: 300 });
  expect((await api.call('GET', '/api/runs', { token: first.body.loginToken })).status).toBe(401);

  const second = await api.call<{ accessToken: string }>('POST', '/api/auth/login/second-factor', {
    json: { loginToken: first.body.loginToken, code: codeOf(secret, 1) },
  });
  expect(second.status).toBe(200);
  expect((await api.call('GET', '/api/runs', { token: second.body.accessToken })).status).toBe(200);

  const replay = await api.call('POST', '/api/auth/login/second-factor', {
    json: {
      loginToken: (
        await api.call<{ loginToken: string }>('POST', '/api/auth/login', {
          json: { email: ada.email, password: ada.password },
        })
      ).body.loginToken,
      code: codeOf(secret, 1),
    },
  });
  expect(replay.status).toBe(401);
  expect(replay.body).toMatchObject({ code: 'AUTH.INVALID_SECOND_FACTOR' });
});
