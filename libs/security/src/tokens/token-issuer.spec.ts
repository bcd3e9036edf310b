import jwt, { type JwtHeader, type JwtPayload } from 'jsonwebtoken';
import { TestKeys } from '../testing';
import { SigningKeyRing } from './signing-key-ring';
import { ACCESS_TOKEN_AUDIENCE, SERVICE_TOKEN_AUDIENCE } from './token-claims';
import { TokenIssuer } from './token-issuer';

const ISSUER = 'https://users.runnerly.test';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('TokenIssuer', () => {
  let keys: TestKeys;
  let issuer: TokenIssuer;

  const decode = (token: string) =>
    jwt.decode(token, { complete: true }) as { header: JwtHeader; payload: JwtPayload };
  const verify = (token: string, ring = keys.ring) =>
    jwt.verify(token, ring.active.publicKey, { algorithms: ['RS256'] }) as JwtPayload;
  const user = {
    userId: 'user-1',
    role: 'user' as const,
    sessionId: 'session-1',
    authenticatedAt: new Date(),
    secondFactor: false,
  };

  beforeAll(() => {
    keys = TestKeys.generate({ retiredKeys: 1 });
    issuer = new TokenIssuer(keys.ring, {
      issuer: ISSUER,
      accessTokenTtlSeconds: 900,
      serviceTokenTtlSeconds: 300,
    });
  });

  it('signs with RS256 under the kid of the active key', () => {
    expect(decode(issuer.issueAccessToken(user).token).header).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: keys.active.kid,
    });
  });

  it('signs verifiably with the active private key', () => {
    expect(() => verify(issuer.issueAccessToken(user).token)).not.toThrow();
  });

  describe('admin access tokens', () => {
    const ttlOf = (options: { accessTokenTtlSeconds: number; adminAccessTokenTtlSeconds?: number }) =>
      new TokenIssuer(keys.ring, {
        issuer: ISSUER,
        serviceTokenTtlSeconds: 300,
        ...options,
      }).issueAccessToken({
        ...user,
        role: 'admin',
      }).expiresIn;

    it.each([
      [
        'live their own, shorter lifetime',
        { accessTokenTtlSeconds: 900, adminAccessTokenTtlSeconds: 300 },
        300,
      ],
      ["live a user's lifetime when none of their own is set", { accessTokenTtlSeconds: 900 }, 900],
      [
        "never live longer than a user's, whatever is configured",
        { accessTokenTtlSeconds: 120, adminAccessTokenTtlSeconds: 300 },
        120,
      ],
    ])('%s', (_case, options, expected) => {
      expect(ttlOf(options)).toBe(expected);
    });
  });

  describe('user access tokens', () => {
    it('say in amr (RFC 8176) that the session entered a second factor, when it did', () => {
      const claims = verify(issuer.issueAccessToken({ ...user, secondFactor: true }).token);
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    });

    it('carry iss, aud, sub, iat, exp, jti, typ, role, sid, and the auth_time and amr of the session', () => {
      const before = Math.floor(Date.now() / 1000);
      const { token, jti, expiresIn } = issuer.issueAccessToken({
        userId: 'user-1',
        role: 'admin',
        sessionId: 'session-1',
        authenticatedAt: new Date('2026-12-01T08:00:00.900Z'),
        secondFactor: false,
      });
      const claims = verify(token);

      expect(claims).toEqual({
        iss: ISSUER,
        aud: ACCESS_TOKEN_AUDIENCE,
        sub: 'user-1',
        iat: expect.any(Number),
        exp: claims.iat! + 900,
        jti,
        typ: 'access',
        role: 'admin',
        sid: 'session-1',
        auth_time: Date.parse('2026-12-01T08:00:00Z') / 1000,
        amr: ['pwd'],
      });
      expect(claims.iat! - before).toBeLessThanOrEqual(1);
      expect(jti).toMatch(UUID);
      expect(expiresIn).toBe(900);
    });
  });

  describe('service tokens', () => {
    it('carry the service audience, typ service and the scopes space-separated, and no user claims', () => {
      const { token, jti, expiresIn } = issuer.issueServiceToken({
        clientId: 'users',
        scopes: ['runs:purge', 'runs:read'],
      });
      const claims = verify(token);

      expect(claims).toEqual({
        iss: ISSUER,
        aud: SERVICE_TOKEN_AUDIENCE,
        sub: 'users',
        iat: expect.any(Number),
        exp: claims.iat! + 300,
        jti,
        typ: 'service',
        scope: 'runs:purge runs:read',
      });
      expect(expiresIn).toBe(300);
    });
  });

  it('gives every token its own jti', () => {
    const jtis = Array.from({ length: 20 }, () => issuer.issueAccessToken(user).jti);
    expect(new Set(jtis).size).toBe(20);
  });

  it('signs with the new key after a rotation, while the retired key still resolves older tokens', async () => {
    const [next] = keys.retired;
    const rotated = new SigningKeyRing(next!, [keys.active]);
    const before = issuer.issueAccessToken(user).token;
    const after = new TokenIssuer(rotated, {
      issuer: ISSUER,
      accessTokenTtlSeconds: 900,
      serviceTokenTtlSeconds: 300,
    }).issueAccessToken(user).token;

    expect(decode(after).header.kid).toBe(next!.kid);
    expect(() => verify(after, rotated)).not.toThrow();
    expect(await rotated.resolve(decode(before).header.kid!)).toBe(keys.active.publicKey);
  });
});
