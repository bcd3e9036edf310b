/**
 * The claims of Runnerly's two kinds of token. User access tokens and service tokens differ in both
 * `aud` and `typ`, and each verifier checks both, so neither is ever accepted in the other's place.
 */
export const ACCESS_TOKEN_AUDIENCE = 'runnerly-api';
export const SERVICE_TOKEN_AUDIENCE = 'runnerly-services';

export const TokenType = { Access: 'access', Service: 'service' } as const;
export type TokenType = (typeof TokenType)[keyof typeof TokenType];

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

interface RegisteredClaims {
  iss: string;
  aud: string;
  sub: string;
  exp: number;
  iat: number;
  jti: string;
}

export interface AccessTokenClaims extends RegisteredClaims {
  typ: typeof TokenType.Access;
  role: Role;
  /** The refresh-token family (session) the token was issued in, so a session can exclude itself. */
  sid: string;
  /** When the user last entered their password in this session (OpenID Connect's claim), in seconds. */
  auth_time: number;
  /**
   * How the session was authenticated, in RFC 8176's words: `pwd` (a password), and `otp` and `mfa` when a
   * one-time code was entered too (at login or at a reauthentication).
   */
  amr: AuthenticationMethod[];
}

export type AuthenticationMethod = 'pwd' | 'otp' | 'mfa';

export interface ServiceTokenClaims extends RegisteredClaims {
  typ: typeof TokenType.Service;
  /** Space-separated scopes, as in OAuth 2.0 (RFC 6749 §3.3). */
  scope: string;
}
