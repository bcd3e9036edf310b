import {
  constants,
  createHmac,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
  timingSafeEqual,
  verify,
  X509Certificate,
} from 'node:crypto';
import jwt, { type JwtPayload, type Secret, type VerifyOptions } from 'jsonwebtoken';
import {
  keyIdOf,
  readTokenHeader,
  TOKEN_HEADER_RULES,
  type TokenHeaderRule,
  toServicePrincipal,
  toUserPrincipal,
} from '../auth/token-validation';
import { ACCESS_TOKEN_AUDIENCE, SERVICE_TOKEN_AUDIENCE } from '../tokens/token-claims';
import {
  FORGED_SERVICE_TOKENS,
  FORGED_USER_TOKENS,
  type ForgedToken,
  KID_FORGERIES,
  MALFORMED_TOKENS,
  TEST_ISSUER,
  TestKeys,
  TestTokens,
  type TokenKind,
} from './index';

type Claims = Record<string, unknown>;
type Malformed = (typeof MALFORMED_TOKENS)[number];
type Forgery = Exclude<ForgedToken, Malformed>;
const isMalformed = (name: string): name is Malformed =>
  (MALFORMED_TOKENS as readonly string[]).includes(name);

/**
 * One weakness of a verifier, which the forgery aimed at it exploits: each field turns off or replaces
 * one step of what the services do.
 */
interface Weakness {
  /** Reads the token with a lenient parser into three parts first. */
  compact?: (token: string) => string;
  /** Takes tokens without a (valid) signature: no signature part needed, none checked. */
  unsigned?: true;
  /** Does not apply this rule of the header. */
  rule?: TokenHeaderRule;
  /** Verifies with this key instead of the one the kid names. */
  key?: (header: Claims) => KeyObject;
  /** Verifies the signature with this algorithm (and key) instead of RS256. */
  signature?: { algorithm: 'HS256' | 'HS384' | 'HS512' | 'RS512' | 'PS256'; key?: KeyObject };
  /** Repairs the one claim the checks refuse, before checking the claims. */
  claims?: (claims: Claims) => Claims;
  /** Relaxes one registered-claim check of the JWT library. */
  verify?: VerifyOptions;
  /** Tolerates this much clock skew on `iat`. */
  iatToleranceSeconds?: number;
}

/**
 * The forged tokens are only worth something if each one fails for its own reason and no other: a
 * forgery that were also, say, expired would let the auth specs pass without proving anything. So each
 * one is checked here twice: the services' checks refuse it, and a verifier with exactly the weakness
 * it targets accepts it.
 */
describe('TestTokens', () => {
  const keys = TestKeys.generate();
  const tokens = new TestTokens(keys, { keyUrl: 'http://127.0.0.1:9' });
  const attackerKey = createPublicKey(keys.foreignPrivateKey);

  const audienceOf = (kind: TokenKind) => (kind === 'user' ? ACCESS_TOKEN_AUDIENCE : SERVICE_TOKEN_AUDIENCE);
  const otherKind = (kind: TokenKind): TokenKind => (kind === 'user' ? 'service' : 'user');
  const typOf = (kind: TokenKind) => (kind === 'user' ? 'access' : 'service');
  const options = (kind: TokenKind): VerifyOptions => ({
    algorithms: ['RS256'],
    issuer: TEST_ISSUER,
    audience: audienceOf(kind),
    clockTolerance: 30,
  });
  const toPrincipal = (kind: TokenKind, claims: Claims, toleranceSeconds?: number) =>
    kind === 'user'
      ? toUserPrincipal(claims, toleranceSeconds)
      : toServicePrincipal(claims, toleranceSeconds);
  const keyNamed = (kid: unknown) => {
    if (kid !== keys.active.kid) throw new Error('unknown kid');
    return keys.active.publicKey;
  };
  const decoded = (part: string | undefined) =>
    JSON.parse(Buffer.from(part ?? '', 'base64url').toString()) as Claims;

  /** What the services do: the header rules, the key by kid, then jsonwebtoken and the claim checks. */
  const strict = (kind: TokenKind, token: string) =>
    toPrincipal(kind, jwt.verify(token, keyNamed(keyIdOf(token)), options(kind)) as JwtPayload);

  /** The same checks, step by step, each of which a weakness can turn off. */
  const withWeakness = (kind: TokenKind, token: string, weakness: Weakness = {}) => {
    const compact = weakness.compact ? weakness.compact(token) : token;
    if (!weakness.unsigned && !readTokenHeader(compact)) throw new Error('not a compact JWS');
    const [encodedHeader, encodedClaims, signature] = compact.split('.');
    const header = {
      members: decoded(encodedHeader),
      json: Buffer.from(encodedHeader!, 'base64url').toString(),
    };
    for (const [rule, holds] of Object.entries(TOKEN_HEADER_RULES)) {
      if (rule !== weakness.rule && !holds(header)) throw new Error(`breaks ${rule}`);
    }
    if (!weakness.unsigned) {
      const { algorithm, key } = weakness.signature ?? { algorithm: 'RS256' };
      const verifiedWith = key ?? weakness.key?.(header.members) ?? keyNamed(header.members.kid);
      if (!signatureHolds(algorithm, `${encodedHeader}.${encodedClaims}`, signature!, verifiedWith))
        throw new Error('invalid signature');
    }
    const claims = (weakness.claims ?? ((unchanged) => unchanged))(decoded(encodedClaims));
    const unsignedCopy = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    jwt.verify(unsignedCopy, undefined as unknown as Secret, {
      ...options(kind),
      algorithms: ['none'],
      ...weakness.verify,
    });
    return toPrincipal(kind, claims, weakness.iatToleranceSeconds);
  };

  const publicKeyAs = (secret: string | Buffer) => createSecretKey(Buffer.from(secret));
  const everyMemberOnce: Weakness = { rule: 'each member once, as compact JSON' };
  const anyMember: Weakness = { rule: 'no member but alg, typ and kid' };
  const anyKid: Weakness = {
    rule: 'kid is a key id of at most 64 characters',
    key: () => keys.active.publicKey,
  };
  const anyTyp: Weakness = { rule: 'typ is JWT' };
  const anyAlg: Weakness = { rule: 'alg is RS256' };
  const algNone: Weakness = { ...anyAlg, unsigned: true };

  /** The weakness each forgery targets. */
  const weaknesses: Record<Forgery, (kind: TokenKind) => Weakness> = {
    "whose jku header points at the attacker's key set": () => ({ ...anyMember, key: () => attackerKey }),
    "whose x5u header points at the attacker's certificate": () => ({
      ...anyMember,
      key: () => keys.foreignCertificate.publicKey,
    }),
    "carrying the attacker's public key as an inline jwk": () => ({
      ...anyMember,
      key: (header) => createPublicKey({ key: header.jwk as JsonWebKey, format: 'jwk' }),
    }),
    "carrying the attacker's certificate in x5c": () => ({
      ...anyMember,
      key: (header) => new X509Certificate(Buffer.from((header.x5c as string[])[0]!, 'base64')).publicKey,
    }),
    'carrying junk in x5c': () => anyMember,
    'with crit naming an extension no one understands': () => anyMember,
    'with b64 false, asking for an unencoded payload': () => anyMember,
    'with the alg member twice, "none" first': () => everyMemberOnce,
    'with the kid member twice, a path first': () => everyMemberOnce,
    'with a __proto__ member in its header': () => anyMember,
    'whose header typ is "jwt", in lower case': () => anyTyp,
    'whose header typ is "JWT " with a trailing space': () => anyTyp,
    'whose header has no typ': () => anyTyp,

    'naming an unknown kid': () => ({ key: () => keys.active.publicKey }),
    'whose kid climbs to ../../../../dev/null': () => anyKid,
    'whose kid is the absolute path /etc/passwd': () => anyKid,
    'whose kid is an SQL injection': () => anyKid,
    'whose kid is a shell command injection': () => anyKid,
    'with an empty kid': () => anyKid,
    'with a kid of 10,000 characters': () => anyKid,
    'whose kid is a number': () => anyKid,
    'whose kid is an object': () => anyKid,
    'whose kid is an array holding the real kid': () => anyKid,
    'whose kid is null': () => anyKid,
    'whose header has no kid': () => anyKid,

    'signed by a foreign key under the real kid': () => ({ key: () => attackerKey }),
    'with alg RS256 and an empty signature': () => ({ unsigned: true }),
    'whose signature is all zero bytes, of the right length': () => ({ unsigned: true }),
    'cut to two parts, without a signature': () => ({ unsigned: true }),
    'with two more parts appended, as a JWE has five': () => ({
      compact: (token) => token.split('.').slice(0, 3).join('.'),
    }),
    'in JWS JSON serialization': () => ({
      compact: (token) => {
        const json = JSON.parse(token) as Record<'protected' | 'payload' | 'signature', string>;
        return `${json.protected}.${json.payload}.${json.signature}`;
      },
    }),
    "whose real signature was moved onto another subject's claims": () => ({ unsigned: true }),

    'with alg "none" and no signature': () => algNone,
    'with alg "None" and no signature': () => algNone,
    'with alg "NONE" and no signature': () => algNone,
    'with alg "nOnE" and no signature': () => algNone,
    'with alg "rs256" over a real RS256 signature': () => anyAlg,
    'with alg "Rs256" over a real RS256 signature': () => anyAlg,
    'with alg "ES256" over a real RS256 signature': () => anyAlg,
    'without alg, over a real RS256 signature': () => anyAlg,
    'signed HS256 with the public key PEM as HMAC secret': () => ({
      ...anyAlg,
      signature: { algorithm: 'HS256', key: publicKeyAs(keys.publicKeyPem) },
    }),
    'signed HS384 with the public key PEM as HMAC secret': () => ({
      ...anyAlg,
      signature: { algorithm: 'HS384', key: publicKeyAs(keys.publicKeyPem) },
    }),
    'signed HS512 with the public key PEM as HMAC secret': () => ({
      ...anyAlg,
      signature: { algorithm: 'HS512', key: publicKeyAs(keys.publicKeyPem) },
    }),
    'signed HS256 with the public key as PKCS#1 PEM as HMAC secret': () => ({
      ...anyAlg,
      signature: {
        algorithm: 'HS256',
        key: publicKeyAs(keys.active.publicKey.export({ type: 'pkcs1', format: 'pem' })),
      },
    }),
    'signed HS256 with the public key DER as HMAC secret': () => ({
      ...anyAlg,
      signature: {
        algorithm: 'HS256',
        key: publicKeyAs(keys.active.publicKey.export({ type: 'spki', format: 'der' })),
      },
    }),
    'signed HS256 with the published JWK as HMAC secret': () => ({
      ...anyAlg,
      signature: { algorithm: 'HS256', key: publicKeyAs(JSON.stringify(keys.active.toJwk())) },
    }),
    'signed by the real key with RS512, an algorithm off the allowlist': () => ({
      ...anyAlg,
      signature: { algorithm: 'RS512' },
    }),
    'signed by the real key with PS256, an algorithm off the allowlist': () => ({
      ...anyAlg,
      signature: { algorithm: 'PS256' },
    }),

    'that expired an hour ago': () => ({ verify: { ignoreExpiration: true } }),
    'without exp': () => ({ claims: (claims) => ({ ...claims, exp: Number(claims.iat) + 60 }) }),
    'whose exp is a string': () => ({ claims: (claims) => ({ ...claims, exp: Number(claims.exp) }) }),
    'not valid before an hour from now (nbf)': () => ({ verify: { ignoreNotBefore: true } }),
    'issued an hour from now (iat)': () => ({ iatToleranceSeconds: 7200 }),
    'for the other audience': (kind) => ({ verify: { audience: audienceOf(otherKind(kind)) } }),
    'for its audience and another one (aud array)': (kind) => ({
      claims: (claims) => ({ ...claims, aud: audienceOf(kind) }),
    }),
    'from another issuer': () => ({ verify: { issuer: 'https://attacker.example' } }),
    'with an empty sub': () => ({ claims: (claims) => ({ ...claims, sub: 'someone' }) }),
    'without sub': () => ({ claims: (claims) => ({ ...claims, sub: 'someone' }) }),
    'whose typ is the other kind': (kind) => ({ claims: (claims) => ({ ...claims, typ: typOf(kind) }) }),
    'whose typ differs only in case': (kind) => ({ claims: (claims) => ({ ...claims, typ: typOf(kind) }) }),
    'whose typ has a trailing space': (kind) => ({ claims: (claims) => ({ ...claims, typ: typOf(kind) }) }),
    'with a __proto__ member in its claims': () => ({
      claims: (claims) => Object.fromEntries(Object.entries(claims).filter(([name]) => name !== '__proto__')),
    }),

    'with a role outside the allowed set': () => ({ claims: (claims) => ({ ...claims, role: 'user' }) }),
    'with the role as an array': () => ({ claims: (claims) => ({ ...claims, role: 'admin' }) }),
    'with its scopes as an array': () => ({
      claims: (claims) => ({ ...claims, scope: (claims.scope as string[]).join(' ') }),
    }),
  };

  describe.each([
    ['user', FORGED_USER_TOKENS],
    ['service', FORGED_SERVICE_TOKENS],
  ] as const)('%s tokens', (kind, forgeries) => {
    const valid = () => (kind === 'user' ? tokens.user() : tokens.service(['runs:purge']));

    it('mints valid ones that pass every check, step by step too', () => {
      expect(strict(kind, valid())).toMatchObject({ kind });
      expect(withWeakness(kind, valid())).toMatchObject({ kind });
    });

    it.each(forgeries)('forges one %s that fails the strict checks', (forgery) => {
      const token = tokens.forge(forgery, kind);
      expect(() => strict(kind, token)).toThrow();
      expect(() => withWeakness(kind, token)).toThrow();
    });

    it.each(forgeries.filter((name): name is Forgery => !isMalformed(name)))(
      'forges one %s that passes a verifier with the one weakness it targets',
      (forgery) => {
        expect(() =>
          withWeakness(kind, tokens.forge(forgery, kind), weaknesses[forgery](kind)),
        ).not.toThrow();
      },
    );

    it.each(MALFORMED_TOKENS)(
      'makes one %s that carries the real signature, so only its content is wrong',
      (name) => {
        const [header, payload, signature] = tokens.forge(name, kind).split('.');
        expect(signatureHolds('RS256', `${header}.${payload}`, signature!, keys.active.publicKey)).toBe(true);
      },
    );
  });

  it('names the real kid in every forgery but those of the kid table', () => {
    const kidOf = (token: string) =>
      decoded(
        token.startsWith('{') ? (JSON.parse(token) as { protected: string }).protected : token.split('.')[0],
      ).kid;
    const notNamingIt = FORGED_USER_TOKENS.filter(
      (forgery) => !isMalformed(forgery) && kidOf(tokens.forge(forgery)) !== keys.active.kid,
    );
    expect(notNamingIt).toEqual(KID_FORGERIES);
  });

  it('refuses to forge a token of the other kind from a table of one kind', () => {
    expect(() => tokens.forge('with a role outside the allowed set', 'service')).toThrow(/not a forgery/);
    expect(() => tokens.forge('with its scopes as an array', 'user')).toThrow(/not a forgery/);
  });

  it('needs a key URL for jku and x5u forgeries', () => {
    expect(() => new TestTokens(keys).forge("whose jku header points at the attacker's key set")).toThrow(
      /keyUrl/,
    );
  });

  it('mints tokens that expired a chosen number of seconds ago', () => {
    const { exp } = jwt.decode(tokens.expired('user', 10)) as JwtPayload;
    expect(Math.floor(Date.now() / 1000) - exp!).toBeGreaterThanOrEqual(10);
    expect(Math.floor(Date.now() / 1000) - exp!).toBeLessThanOrEqual(11);
  });
});

function signatureHolds(algorithm: string, signingInput: string, signature: string, key: KeyObject): boolean {
  const digest = `sha${algorithm.slice(2)}`;
  const given = Buffer.from(signature, 'base64url');
  if (algorithm.startsWith('HS')) {
    const expected = createHmac(digest, key).update(signingInput).digest();
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
  const padding = algorithm.startsWith('PS')
    ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : {};
  return verify(digest, Buffer.from(signingInput), { key, ...padding }, given);
}
