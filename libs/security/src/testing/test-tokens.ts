import { createHmac, type KeyObject, randomUUID, sign } from 'node:crypto';
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
 * Broken or forged tokens, each differing from a valid token of its kind in exactly one way (the specs
 * of this file prove it), so that a verifier refusing one proves that one check.
 */
export const FORGED_TOKENS = [
  'with alg "none" and no signature',
  'signed HS256 with the public key PEM as HMAC secret',
  'that expired an hour ago',
  'for the other audience',
  'from another issuer',
  'naming an unknown kid',
  'without exp',
  'signed by a foreign key under the real kid',
  'whose typ is the other kind',
  'signed by the real key with RS512, an algorithm off the allowlist',
] as const;
export type ForgedToken = (typeof FORGED_TOKENS)[number];

export interface TestUser {
  userId?: string;
  role?: Role;
  sessionId?: string;
}

export interface TestTokensOptions {
  issuer?: string;
  accessTokenTtlSeconds?: number;
  serviceTokenTtlSeconds?: number;
}

type Claims = Record<string, unknown>;

/**
 * Mints tokens for tests: valid ones through the real TokenIssuer, and the forgeries attackers try
 * (RFC 8725 §2), signed by hand so that no library check stands in the way of making them.
 */
export class TestTokens {
  readonly issuer: string;
  readonly tokenIssuer: TokenIssuer;
  private readonly ttl: Record<TokenKind, number>;

  constructor(
    private readonly keys: TestKeys,
    options: TestTokensOptions = {},
  ) {
    this.issuer = options.issuer ?? TEST_ISSUER;
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
    const iat = Math.floor(Date.now() / 1000);
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
    const privateKey = options.privateKey ?? this.keys.active.privateKey!;
    const kid = options.kid === undefined ? this.keys.active.kid : options.kid;
    const alg = options.algorithm ?? SIGNING_ALGORITHM;
    const header = { alg, typ: 'JWT', ...(kid === null ? {} : { kid }) };
    const digest = alg === 'RS512' ? 'sha512' : 'sha256';
    return encodeJwt(header, claims, (data) =>
      sign(digest, Buffer.from(data), privateKey).toString('base64url'),
    );
  }

  /** A token of this kind that expired `secondsAgo` seconds ago (to test the clock tolerance too). */
  expired(kind: TokenKind = 'user', secondsAgo = 3600): string {
    const exp = Math.floor(Date.now() / 1000) - secondsAgo;
    return this.signed(this.claims(kind, { iat: exp - this.ttl[kind], exp }));
  }

  forge(forgery: ForgedToken, kind: TokenKind = 'user'): string {
    const { active } = this.keys;
    switch (forgery) {
      case 'with alg "none" and no signature':
        return encodeJwt({ alg: 'none', typ: 'JWT', kid: active.kid }, this.claims(kind), () => '');
      case 'signed HS256 with the public key PEM as HMAC secret':
        return encodeJwt({ alg: 'HS256', typ: 'JWT', kid: active.kid }, this.claims(kind), (data) =>
          createHmac('sha256', this.keys.publicKeyPem).update(data).digest('base64url'),
        );
      case 'that expired an hour ago':
        return this.expired(kind, 3600);
      case 'for the other audience':
        return this.signed(
          this.claims(kind, { aud: kind === 'user' ? SERVICE_TOKEN_AUDIENCE : ACCESS_TOKEN_AUDIENCE }),
        );
      case 'from another issuer':
        return this.signed(this.claims(kind, { iss: 'https://attacker.example' }));
      case 'naming an unknown kid':
        return this.signed(this.claims(kind), { kid: 'unknown-kid-0000000000000000000000000000000' });
      case 'without exp':
        return this.signed(this.claims(kind, { exp: undefined }));
      case 'signed by a foreign key under the real kid':
        return this.signed(this.claims(kind), { privateKey: this.keys.foreignPrivateKey });
      case 'whose typ is the other kind':
        return this.signed(
          this.claims(kind, { typ: kind === 'user' ? TokenType.Service : TokenType.Access }),
        );
      case 'signed by the real key with RS512, an algorithm off the allowlist':
        return this.signed(this.claims(kind), { algorithm: 'RS512' });
    }
  }
}

/** `Authorization` header for a bearer token, for `app.inject({ headers: bearer(token) })`. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

function encodeJwt(header: object, claims: Claims, signature: (signingInput: string) => string): string {
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  return `${signingInput}.${signature(signingInput)}`;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
