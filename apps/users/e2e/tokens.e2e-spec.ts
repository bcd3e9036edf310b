import { AuditEvent, SigningKey, SigningKeyRing, TokenIssuer } from '@runnerly/security';
import {
  bearer,
  FORGED_USER_TOKENS,
  generateRsaPrivateKeyPem,
  KeyUrlTrap,
  TEST_ISSUER,
  TestTokens,
} from '@runnerly/security/testing';
import { type LoggedInUser, UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;
let trap: KeyUrlTrap;
let forger: TestTokens;
let person: LoggedInUser;
let admin: LoggedInUser;
const sessionIdOf = (accessToken: string) =>
  (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
/** The claims of a live session: users checks every token's session in its database. */
const sessionOf = (user: LoggedInUser) => ({ sub: user.id, sid: sessionIdOf(user.accessToken) });

beforeAll(async () => {
  users = await UsersTestApp.start();
  trap = await KeyUrlTrap.start(users.keys);
  forger = new TestTokens(users.keys, { issuer: TEST_ISSUER, keyUrl: trap.url });
  [person, admin] = [await users.registerAndLogin(), await users.admin()];
}, 60_000);

afterAll(async () => {
  await users?.close();
  await trap?.close();
});

/** Sends a forged token; it must be refused with 401 in the common error shape, audited, no URL fetched. */
async function expectRefused(url: string, token: string): Promise<void> {
  const response = await users.app.inject({ method: 'GET', url, headers: bearer(token) });
  expect(response.statusCode).toBe(401);
  expect(response.json()).toMatchObject({
    statusCode: 401,
    code: 'AUTH.UNAUTHENTICATED',
    requestId: response.headers['x-request-id'],
  });
  expect(users.logs.auditEvents(AuditEvent.TokenRejected).at(-1)).toMatchObject({
    requestId: response.headers['x-request-id'],
    audit: { event: 'auth.token.rejected', expected: 'user token' },
  });
  expect(trap.requests).toEqual([]);
}

describe('a protected route (/users/me)', () => {
  it('answers 401 without a token', async () => {
    const response = await users.get('/users/me');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ statusCode: 401, code: 'AUTH.UNAUTHENTICATED' });
  });

  it('accepts a token minted for a live session (the forgeries below start from the same claims)', async () => {
    const token = forger.user({ userId: person.id, sessionId: sessionIdOf(person.accessToken) });
    expect((await users.get('/users/me', token)).statusCode).toBe(200);
  });

  it.each(FORGED_USER_TOKENS)('refuses a user token %s (401) and audits it', async (forgery) => {
    await expectRefused('/users/me', forger.forge(forgery, 'user', sessionOf(person)));
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
        authenticatedAt: new Date(),
        secondFactor: false,
      }).token;
      expect((await rotated.get('/users/me', token)).statusCode).toBe(200);
    } finally {
      await rotated.close();
    }
  }, 60_000);
});

describe('an admin route (/users)', () => {
  it('accepts an admin token minted for a live admin session (the control)', async () => {
    const token = forger.admin({ userId: admin.id, sessionId: sessionIdOf(admin.accessToken) });
    expect((await users.get('/users', token)).statusCode).toBe(200);
  });

  it.each(FORGED_USER_TOKENS)("refuses an admin's token %s (401) and audits it", async (forgery) => {
    await expectRefused('/users', forger.forge(forgery, 'user', { ...sessionOf(admin), role: 'admin' }));
  });
});

it('never fetched a URL named in a token header', () => {
  expect(trap.requests).toEqual([]);
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
