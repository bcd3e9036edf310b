import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt, { type JwtPayload, type VerifyOptions } from 'jsonwebtoken';
import { toServicePrincipal, toUserPrincipal } from '../auth/token-validation';
import { ACCESS_TOKEN_AUDIENCE, SERVICE_TOKEN_AUDIENCE } from '../tokens/token-claims';
import { FORGED_TOKENS, type ForgedToken, TEST_ISSUER, TestKeys, TestTokens, type TokenKind } from './index';

/**
 * The forged tokens are only worth something if each one fails for its own reason and no other: a
 * forgery that were also, say, expired would let the auth specs pass without proving anything. So each
 * one is checked here against a verifier relaxed in exactly the check it targets.
 */
describe('TestTokens', () => {
  let keys: TestKeys;
  let tokens: TestTokens;

  const audienceOf = (kind: TokenKind) => (kind === 'user' ? ACCESS_TOKEN_AUDIENCE : SERVICE_TOKEN_AUDIENCE);
  const strict = (kind: TokenKind): VerifyOptions => ({
    algorithms: ['RS256'],
    issuer: TEST_ISSUER,
    audience: audienceOf(kind),
  });
  const toPrincipal = (kind: TokenKind, claims: JwtPayload) =>
    kind === 'user' ? toUserPrincipal(claims) : toServicePrincipal(claims);
  const kidOf = (token: string) => jwt.decode(token, { complete: true })?.header.kid;

  /** Verifies like the services do: key by kid, signature, alg, iss, aud, exp, then the claim checks. */
  const verify = (kind: TokenKind, token: string, options: VerifyOptions = {}, key?: KeyObject) =>
    toPrincipal(kind, claimsOf(kind, token, options, key));
  const claimsOf = (kind: TokenKind, token: string, options: VerifyOptions = {}, key?: KeyObject) => {
    const resolved = key ?? (kidOf(token) === keys.active.kid ? keys.active.publicKey : undefined);
    if (!resolved) throw new Error('unknown kid');
    return jwt.verify(token, resolved, { ...strict(kind), ...options }) as JwtPayload;
  };
  const otherKind = (kind: TokenKind): TokenKind => (kind === 'user' ? 'service' : 'user');
  const typOf = (kind: TokenKind) => (kind === 'user' ? 'access' : 'service');

  /** How each forgery is made acceptable again: by relaxing exactly the check it targets. */
  const relaxed: Record<ForgedToken, (kind: TokenKind, token: string) => unknown> = {
    'with alg "none" and no signature': (kind, token) => toPrincipal(kind, jwt.decode(token) as JwtPayload),
    'signed HS256 with the public key PEM as HMAC secret': (kind, token) =>
      verify(kind, token, { algorithms: ['HS256'] }, createSecretKey(Buffer.from(keys.publicKeyPem))),
    'that expired an hour ago': (kind, token) => verify(kind, token, { ignoreExpiration: true }),
    'for the other audience': (kind, token) => verify(kind, token, { audience: audienceOf(otherKind(kind)) }),
    'from another issuer': (kind, token) => verify(kind, token, { issuer: 'https://attacker.example' }),
    'naming an unknown kid': (kind, token) => verify(kind, token, {}, keys.active.publicKey),
    'without exp': (kind, token) => claimsOf(kind, token),
    'signed by a foreign key under the real kid': (kind, token) =>
      verify(kind, token, {}, createPublicKey(keys.foreignPrivateKey)),
    'whose typ is the other kind': (kind, token) =>
      toPrincipal(kind, { ...claimsOf(kind, token), typ: typOf(kind) }),
    'signed by the real key with RS512, an algorithm off the allowlist': (kind, token) =>
      verify(kind, token, { algorithms: ['RS512'] }),
  };

  beforeAll(() => {
    keys = TestKeys.generate();
    tokens = new TestTokens(keys);
  });

  describe.each<TokenKind>(['user', 'service'])('%s tokens', (kind) => {
    const valid = () => (kind === 'user' ? tokens.user() : tokens.service(['runs:purge']));

    it('mints valid ones that pass every check', () => {
      expect(verify(kind, valid())).toMatchObject({ kind });
    });

    it.each(FORGED_TOKENS)('forges one %s that fails the strict checks', (forgery) => {
      expect(() => verify(kind, tokens.forge(forgery, kind))).toThrow();
    });

    it.each(FORGED_TOKENS)('forges one %s that passes once its one check is relaxed', (forgery) => {
      expect(() => relaxed[forgery](kind, tokens.forge(forgery, kind))).not.toThrow();
    });
  });

  it('names the real kid in forgeries that must not fail on the kid lookup', () => {
    for (const forgery of FORGED_TOKENS.filter((name) => name !== 'naming an unknown kid')) {
      expect(kidOf(tokens.forge(forgery))).toBe(keys.active.kid);
    }
    expect(kidOf(tokens.forge('naming an unknown kid'))).not.toBe(keys.active.kid);
  });

  it('mints tokens that expired a chosen number of seconds ago', () => {
    const { exp } = jwt.decode(tokens.expired('user', 10)) as JwtPayload;
    expect(Math.floor(Date.now() / 1000) - exp!).toBeGreaterThanOrEqual(10);
    expect(Math.floor(Date.now() / 1000) - exp!).toBeLessThanOrEqual(11);
  });
});
