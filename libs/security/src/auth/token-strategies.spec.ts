import jwt, { type VerifyOptions } from 'jsonwebtoken';
import { TEST_ISSUER, TestKeys, TestTokens } from '../testing';
import { ACCESS_TOKEN_AUDIENCE } from '../tokens/token-claims';
import { jwtStrategyOptions } from './token-strategies';

// The header rules refuse every `alg` but RS256 before a key is looked up, so the forged-token suites
// never reach the JWT library's own algorithm allowlist: removing it fails none of them. This spec
// proves that second line by itself, so it cannot be lost unnoticed if the header rules ever loosen.
describe('jwtStrategyOptions', () => {
  const keys = TestKeys.generate();
  const tokens = new TestTokens(keys);
  // What passport-jwt hands the JWT library (its option types differ only in spelling).
  const { algorithms, issuer, audience } = jwtStrategyOptions(
    { issuer: TEST_ISSUER, keyResolver: keys.ring },
    ACCESS_TOKEN_AUDIENCE,
  ) as VerifyOptions;
  const verify = (token: string) =>
    jwt.verify(token, keys.active.publicKey, { algorithms, issuer, audience });

  it('lets the JWT library verify a token as the issuer signs it', () => {
    expect(verify(tokens.user())).toMatchObject({ iss: TEST_ISSUER, aud: ACCESS_TOKEN_AUDIENCE });
  });

  it.each([
    'signed by the real key with RS512, an algorithm off the allowlist',
    'signed by the real key with PS256, an algorithm off the allowlist',
    'signed HS256 with the public key PEM as HMAC secret',
    'signed HS384 with the public key PEM as HMAC secret',
    'signed HS512 with the public key PEM as HMAC secret',
    'with alg "ES256" over a real RS256 signature',
  ] as const)('has the JWT library refuse a token %s by its algorithm alone', (forgery) => {
    expect(() => verify(tokens.forge(forgery))).toThrow('invalid algorithm');
  });
});
