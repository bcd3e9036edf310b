import jwt from 'jsonwebtoken';
import { AuditEvent, ErrorCode } from '@runnerly/security';
import { secretHashOf } from '../src/oauth/service-clients';
import { UsersTestApp } from './support/users-test-app';

const CLIENT_ID = 'reporting';
// Obviously a fixture, never a real secret (and long enough to pass as one).
const CLIENT_SECRET = 'test-only-client-secret-not-for-use-anywhere';
/** The client's next secret, published beside the current one while the client switches to it. */
const NEXT_CLIENT_SECRET = 'test-only-next-client-secret-not-for-use-anywhere';

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start({
    OAUTH_CLIENTS: JSON.stringify([
      { clientId: CLIENT_ID, secretHash: secretHashOf(CLIENT_SECRET), scopes: ['runs:purge'] },
      { clientId: CLIENT_ID, secretHash: secretHashOf(NEXT_CLIENT_SECRET), scopes: ['runs:purge'] },
    ]),
  });
}, 60_000);

afterAll(() => users?.close());

const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
});
const requestToken = (body: object, headers: Record<string, string> = basic(CLIENT_ID, CLIENT_SECRET)) =>
  users.post('/oauth/token', { grant_type: 'client_credentials', ...body }, undefined, headers);

describe('POST /oauth/token (client credentials)', () => {
  it('issues a short-lived service token with the requested scope (HTTP Basic client authentication)', async () => {
    const response = await requestToken({ scope: 'runs:purge' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'runs:purge',
    });
    const claims = jwt.decode(response.json<{ access_token: string }>().access_token) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      sub: CLIENT_ID,
      aud: 'runnerly-services',
      typ: 'service',
      scope: 'runs:purge',
    });
    expect(users.logs.auditEvents(AuditEvent.ServiceTokenIssued).at(-1)?.audit).toMatchObject({
      clientId: CLIENT_ID,
    });
  });

  it('accepts the credentials in a form-encoded body too (RFC 6749 §2.3.1)', async () => {
    const response = await users.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(200);
  });

  it.each(['/auth/login', '/auth/register', '/users/me/password'])(
    'refuses a form-encoded body on %s with 415: only /oauth/token takes forms',
    async (url) => {
      const response = await users.app.inject({
        method: 'POST',
        url,
        payload: 'email=ada%40example.com&password=correct+horse+battery+staple',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toMatchObject({ code: ErrorCode.UnsupportedMediaType });
    },
  );

  it('grants every scope of the client when none is asked for', async () => {
    expect((await requestToken({})).json()).toMatchObject({ scope: 'runs:purge' });
  });

  it.each([
    ['a wrong secret', basic(CLIENT_ID, 'not-the-secret-not-the-secret-00')],
    ['an unknown client', basic('nobody', CLIENT_SECRET)],
    ['the built-in users client, which has no secret', basic('users', '')],
    ['no credentials at all', {}],
  ])('refuses %s with 401 and audits it', async (_case, headers) => {
    const response = await requestToken({ scope: 'runs:purge' }, headers);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.InvalidClient });
  });

  it('refuses a scope the client was not granted (403)', async () => {
    const response = await requestToken({ scope: 'runs:purge users:admin' });
    expect(response.statusCode).toBe(403);
    expect(users.logs.auditEvents(AuditEvent.ServiceTokenDenied).at(-1)?.audit).toMatchObject({
      clientId: CLIENT_ID,
    });
  });

  it.each([
    ['another grant type', { grant_type: 'password' }],
    ['a malformed scope', { scope: 'runs:purge;drop' }],
  ])('answers %s with 400', async (_case, body) => {
    expect((await requestToken(body)).statusCode).toBe(400);
  });

  it('accepts either secret of a client with two entries, so a secret can be rotated without downtime', async () => {
    for (const secret of [CLIENT_SECRET, NEXT_CLIENT_SECRET]) {
      const response = await requestToken({ scope: 'runs:purge' }, basic(CLIENT_ID, secret));
      expect(response.statusCode).toBe(200);
      expect(jwt.decode(response.json<{ access_token: string }>().access_token)).toMatchObject({
        sub: CLIENT_ID,
      });
    }
  });

  it('gives a token that is refused where a user token is expected', async () => {
    const token = (await requestToken({})).json<{ access_token: string }>().access_token;
    expect((await users.get('/users/me', token)).statusCode).toBe(401);
  });
});

it('never writes client secrets into the logs', () => {
  expect(users.logs.text).not.toContain(CLIENT_SECRET);
  expect(users.logs.text).not.toContain(NEXT_CLIENT_SECRET);
  expect(users.logs.auditEvents(AuditEvent.ServiceTokenDenied).length).toBeGreaterThan(0);
});
