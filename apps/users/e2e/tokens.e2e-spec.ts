import { AuditEvent, SigningKey, SigningKeyRing, TokenIssuer } from '@runnerly/security';
import { bearer, FORGED_TOKENS, generateRsaPrivateKeyPem } from '@runnerly/security/testing';
import { UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;
const sessionIdOf = (accessToken: string) =>
  (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

describe('a protected route (/users/me)', () => {
  it('answers 401 without a token', async () => {
    const response = await users.get('/users/me');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ statusCode: 401, code: 'AUTH.UNAUTHENTICATED' });
  });

  it.each(FORGED_TOKENS)('refuses a user token %s (401) and audits it', async (forgery) => {
    const response = await users.app.inject({
      method: 'GET',
      url: '/users/me',
      headers: bearer(users.tokens.forge(forgery, 'user')),
    });

    expect(response.statusCode).toBe(401);
    expect(users.logs.auditEvents(AuditEvent.TokenRejected).at(-1)?.requestId).toBe(
      response.headers['x-request-id'],
    );
  });

  it('refuses a valid service token (401): service tokens never pass as a user', async () => {
    expect((await users.get('/users/me', users.tokens.service(['runs:purge']))).statusCode).toBe(401);
  });

  it('accepts a token signed by a retired key that is still published', async () => {
    const retiredPem = generateRsaPrivateKeyPem();
    const retired = SigningKey.fromPrivateKeyPem(retiredPem);
    const rotated = await UsersTestApp.start({
      JWT_RETIRED_PUBLIC_KEYS: retired.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    try {
      const user = await rotated.registerAndLogin();
      const oldKeyIssuer = new TokenIssuer(new SigningKeyRing(retired), {
        issuer: rotated.tokens.issuer,
        accessTokenTtlSeconds: 900,
        serviceTokenTtlSeconds: 300,
      });
      // The same session as the user's login: users checks every token's session in its database.
      const token = oldKeyIssuer.issueAccessToken({
        userId: user.id,
        role: 'user',
        sessionId: sessionIdOf(user.accessToken),
      }).token;
      expect((await rotated.get('/users/me', token)).statusCode).toBe(200);
    } finally {
      await rotated.close();
    }
  }, 60_000);
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public signing key as a valid JWKS, cacheable, without authentication', async () => {
    const response = await users.get('/.well-known/jwks.json');

    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.json()).toEqual({
      keys: [
        {
          kty: 'RSA',
          kid: users.keys.active.kid,
          alg: 'RS256',
          use: 'sig',
          n: expect.any(String),
          e: 'AQAB',
        },
      ],
    });
  });

  it('never publishes private key members', async () => {
    const [key] = (await users.get('/.well-known/jwks.json')).json<{ keys: Record<string, unknown>[] }>()
      .keys;
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
  });
});
