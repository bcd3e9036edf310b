import { UnauthorizedException } from '@nestjs/common';
import { SIGNING_ALGORITHM } from '../tokens/signing-key';
import { type Role, ROLES, TokenType } from '../tokens/token-claims';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS } from './auth-module.options';
import { type ServicePrincipal, type UserPrincipal } from './principal';

type Claims = Record<string, unknown>;

/** Key ids are RFC 7638 thumbprints: 43 base64url characters. */
const KEY_ID = /^[\w-]{1,64}$/;
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const HEADER_MEMBERS = new Set(['alg', 'typ', 'kid']);

export interface TokenHeader {
  /** The header as JSON.parse reads it. */
  members: Record<string, unknown>;
  /** The header's JSON text, as sent. */
  json: string;
}

/**
 * The header our issuer writes, and nothing else, checked before any key is looked up: each rule stops
 * a class of forgery (RFC 8725), and a token breaking one is refused with the rule as the reason.
 */
export const TOKEN_HEADER_RULES = {
  // Written as our issuer writes it (JSON.stringify): a member given twice is read as the last one by
  // JSON.parse and as the first by other parsers (RFC 7515 §4).
  'each member once, as compact JSON': (header: TokenHeader) =>
    JSON.stringify(header.members) === header.json,
  // jku/x5u (fetch a key from an attacker's URL), jwk/x5c (bring one's own key) (RFC 8725 §3.10);
  // crit and b64, which jsonwebtoken ignores though RFC 7515 §4.1.11 says to refuse; __proto__.
  'no member but alg, typ and kid': (header: TokenHeader) =>
    Object.keys(header.members).every((name) => HEADER_MEMBERS.has(name)),
  // none in any case, HS256 keyed with the public key, other algorithms (RFC 8725 §2.1, §3.1).
  [`alg is ${SIGNING_ALGORITHM}`]: (header: TokenHeader) => header.members.alg === SIGNING_ALGORITHM,
  // Explicit typing (RFC 8725 §3.11).
  'typ is JWT': (header: TokenHeader) => header.members.typ === 'JWT',
  // Paths, SQL, shell and 10,000-character kids never reach a key lookup or a JWKS refetch (RFC 8725 §3.10).
  'kid is a key id of at most 64 characters': (header: TokenHeader) =>
    typeof header.members.kid === 'string' && KEY_ID.test(header.members.kid),
} as const;

export type TokenHeaderRule = keyof typeof TOKEN_HEADER_RULES;

/**
 * The header of a compact JWS of three non-empty base64url parts whose header and payload are JSON
 * objects, or undefined for anything else: an empty or missing signature, five parts (JWE), the JSON
 * serialization, or a payload jsonwebtoken would choke on (not JSON: a 500; null: a request that hangs).
 */
export function readTokenHeader(token: string): TokenHeader | undefined {
  if (!COMPACT_JWS.test(token)) return undefined;
  const [header, payload] = token.split('.', 2).map(jsonObjectIn);
  return header && payload ? header : undefined;
}

function jsonObjectIn(part: string): TokenHeader | undefined {
  const json = Buffer.from(part, 'base64url').toString();
  try {
    const members: unknown = JSON.parse(json);
    if (typeof members !== 'object' || members === null || Array.isArray(members)) return undefined;
    return { members: members as Record<string, unknown>, json };
  } catch {
    return undefined;
  }
}

/** The key id of a token whose header keeps every rule; throws naming the first rule it breaks. */
export function keyIdOf(token: string): string {
  const header = readTokenHeader(token);
  if (!header) throw new Error('Token is not a compact JWS of JSON objects');
  for (const [rule, holds] of Object.entries(TOKEN_HEADER_RULES)) {
    if (!holds(header)) throw new Error(`Token header breaks the rule: ${rule}`);
  }
  return header.members.kid as string;
}

/**
 * Checks done after the signature, `iss`, `aud`, `nbf` and `exp` were verified by the JWT library. `exp`
 * is required here because the library accepts a token without one, which would never expire; `iat`
 * because the library never checks that it is not in the future.
 */
function assertRegisteredClaims(claims: Claims, clockToleranceSeconds: number): void {
  const required = ['sub', 'jti'] as const;
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') throw new UnauthorizedException();
  if (claims.iat > Date.now() / 1000 + clockToleranceSeconds) throw new UnauthorizedException();
  if (required.some((name) => typeof claims[name] !== 'string' || claims[name] === ''))
    throw new UnauthorizedException();
  // One audience: a token for several can be replayed by each of them to the others (RFC 8725 §3.9).
  if (typeof claims.aud !== 'string') throw new UnauthorizedException();
  // No issuer writes __proto__: it is a prototype-pollution probe (JSON.parse makes it an own member).
  if (Object.hasOwn(claims, '__proto__')) throw new UnauthorizedException();
}

export function toUserPrincipal(
  claims: Claims,
  clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS,
): UserPrincipal {
  assertRegisteredClaims(claims, clockToleranceSeconds);
  if (claims.typ !== TokenType.Access) throw new UnauthorizedException();
  if (!ROLES.includes(claims.role as Role) || typeof claims.sid !== 'string')
    throw new UnauthorizedException();
  if (claims.auth_time !== undefined && !Number.isSafeInteger(claims.auth_time))
    throw new UnauthorizedException();
  if (claims.amr !== undefined && !isMethodList(claims.amr)) throw new UnauthorizedException();
  return {
    kind: 'user',
    id: claims.sub as string,
    role: claims.role as Role,
    sessionId: claims.sid,
    tokenId: claims.jti as string,
    authTime: claims.auth_time as number | undefined,
    secondFactor: Array.isArray(claims.amr) && claims.amr.includes('mfa'),
  };
}

/** `amr` as RFC 8176 has it: a short array of short strings (tokens issued before the claim have none). */
function isMethodList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length <= 8 &&
    value.every((method) => typeof method === 'string' && method.length > 0 && method.length <= 16)
  );
}

export function toServicePrincipal(
  claims: Claims,
  clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS,
): ServicePrincipal {
  assertRegisteredClaims(claims, clockToleranceSeconds);
  if (claims.typ !== TokenType.Service || typeof claims.scope !== 'string') throw new UnauthorizedException();
  return {
    kind: 'service',
    clientId: claims.sub as string,
    scopes: claims.scope.split(' ').filter(Boolean),
    tokenId: claims.jti as string,
  };
}
