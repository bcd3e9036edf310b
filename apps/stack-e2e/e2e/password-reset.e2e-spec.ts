import { request } from 'node:http';
import { GatewayClient, linkIn, TestMailServer } from '@runnerly/testing';
import { Stack } from './support/stack';

const PUBLIC_ORIGIN = 'https://runnerly.example';

let mail: TestMailServer;
let stack: Stack;
let api: GatewayClient;

beforeAll(async () => {
  mail = await TestMailServer.start();
  stack = await Stack.start({
    extra: { users: { SMTP_URL: mail.url, PUBLIC_ORIGIN, MAIL_POLL_INTERVAL_MS: '200' } },
  });
  api = new GatewayClient(stack.gatewayUrl);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await mail?.stop();
});

/** A POST through the gateway with a Host header of our choosing (fetch will not send one). */
function postWithHost(path: string, json: unknown, headers: Record<string, string>): Promise<number> {
  const body = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const sent = request(
      `${stack.gatewayUrl}${path}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

it('resets a password through the gateway with a mailed link that works once; the old sessions can no longer refresh', async () => {
  const ada = await api.signUp('reset');
  await mail.nextMailTo(ada.email, 1);

  const asked = await postWithHost(
    '/api/auth/password-reset',
    { email: ada.email },
    { host: 'evil.example', 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example' },
  );
  expect(asked).toBe(202);
  const { url, token } = linkIn(await mail.nextMailTo(ada.email, 2), '/reset-password');
  expect(url.origin).toBe(PUBLIC_ORIGIN);

  const reset = await api.call('POST', '/api/auth/password-reset/complete', {
    json: { token, password: 'a brand new passphrase' },
  });
  expect(reset.status).toBe(204);

  expect(
    (await api.call('POST', '/api/auth/refresh', { json: { refreshToken: ada.refreshToken } })).status,
  ).toBe(401);
  const again = await api.call('POST', '/api/auth/password-reset/complete', {
    json: { token, password: 'and yet another passphrase' },
  });
  expect(again).toMatchObject({ status: 400, body: { code: 'AUTH.INVALID_EMAIL_LINK' } });
  const loggedIn = await api.logIn(ada.email, 'a brand new passphrase');
  const me = await api.call('GET', '/api/users/me', { token: loggedIn.accessToken });
  expect(me.body).toMatchObject({ emailVerified: true });
});

it('answers a reset or a verification request for an unknown address exactly as for a known one', async () => {
  const ada = await api.signUp('known');
  for (const path of ['/api/auth/password-reset', '/api/auth/email-verification']) {
    const known = await api.send('POST', path, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ada.email }),
    });
    const unknown = await api.send('POST', path, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: GatewayClient.nextEmail('nobody') }),
    });
    expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
    expect(unknown.status).toBe(202);
  }
});

it('verifies an email address through the gateway with the link mailed at sign-up', async () => {
  const ada = await api.signUp('verify');
  const { token } = linkIn(await mail.nextMailTo(ada.email, 1), '/verify-email');

  const verified = await api.call('POST', '/api/auth/email-verification/complete', { json: { token } });

  expect(verified.status).toBe(204);
  expect((await api.call('GET', '/api/users/me', { token: ada.accessToken })).body).toMatchObject({
    emailVerified: true,
  });
});
