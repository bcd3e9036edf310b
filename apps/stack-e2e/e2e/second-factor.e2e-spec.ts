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

/** Six digits that are none of the codes the service accepts now (the previous, current and next period's). */
const wrongCodeFor = (secret: string): string => {
  const accepted = new Set([-1, 0, 1].map((step) => codeOf(secret, step)));
  let guess = 0;
  while (accepted.has(String(guess).padStart(6, '0'))) guess++;
  return String(guess).padStart(6, '0');
};

const loginToken = async (account: { email: string; password: string }) =>
  (
    await api.call<{ loginToken: string }>('POST', '/api/auth/login', {
      json: { email: account.email, password: account.password },
    })
  ).body.loginToken;

const secondStep = (token: string, code: string) =>
  api.call('POST', '/api/auth/login/second-factor', { json: { loginToken: token, code } });

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

  const replay = await secondStep(await loginToken(ada), codeOf(secret, 1));
  expect(replay.status).toBe(401);
  expect(replay.body).toMatchObject({ code: 'AUTH.INVALID_SECOND_FACTOR' });
});

it('stops a brute force of codes through the gateway: 5 wrong codes spend a login token, 10 on the account answer 429 to anyone', async () => {
  const ada = await api.signUp('guessed');
  const { secret } = (
    await api.call<{ secret: string }>('POST', '/api/users/me/mfa/totp', { token: ada.accessToken, json: {} })
  ).body;
  await api.call('POST', '/api/users/me/mfa/totp/confirm', {
    token: ada.accessToken,
    json: { code: codeOf(secret) },
  });

  const first = await loginToken(ada);
  for (let guess = 0; guess < 5; guess++) {
    expect((await secondStep(first, wrongCodeFor(secret))).body).toMatchObject({
      code: 'AUTH.INVALID_SECOND_FACTOR',
    });
  }
  expect((await secondStep(first, codeOf(secret, 1))).body).toMatchObject({
    code: 'AUTH.INVALID_LOGIN_CHALLENGE',
  });

  const second = await loginToken(ada);
  for (let guess = 0; guess < 5; guess++) await secondStep(second, wrongCodeFor(secret));
  const third = await secondStep(await loginToken(ada), codeOf(secret, 1));
  expect(third.status).toBe(429);
  expect(third.body).toMatchObject({ code: 'RATE_LIMIT.EXCEEDED' });
});
