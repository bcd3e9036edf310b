import { UnauthorizedException } from '@nestjs/common';
import { type Role, ROLES, TokenType } from '../tokens/token-claims';
import { type ServicePrincipal, type UserPrincipal } from './principal';

type Claims = Record<string, unknown>;

/**
 * Checks done after the signature, `iss`, `aud` and `exp` were verified by the JWT library. `exp` is
 * required here because the library accepts a token without one, which would never expire.
 */
function assertRegisteredClaims(claims: Claims): void {
  const required = ['sub', 'jti'] as const;
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') throw new UnauthorizedException();
  if (required.some((name) => typeof claims[name] !== 'string' || claims[name] === ''))
    throw new UnauthorizedException();
}

export function toUserPrincipal(claims: Claims): UserPrincipal {
  assertRegisteredClaims(claims);
  if (claims.typ !== TokenType.Access) throw new UnauthorizedException();
  if (!ROLES.includes(claims.role as Role) || typeof claims.sid !== 'string')
    throw new UnauthorizedException();
  return {
    kind: 'user',
    id: claims.sub as string,
    role: claims.role as Role,
    sessionId: claims.sid,
    tokenId: claims.jti as string,
  };
}

export function toServicePrincipal(claims: Claims): ServicePrincipal {
  assertRegisteredClaims(claims);
  if (claims.typ !== TokenType.Service || typeof claims.scope !== 'string') throw new UnauthorizedException();
  return {
    kind: 'service',
    clientId: claims.sub as string,
    scopes: claims.scope.split(' ').filter(Boolean),
    tokenId: claims.jti as string,
  };
}
