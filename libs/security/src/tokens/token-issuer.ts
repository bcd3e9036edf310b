import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { SIGNING_ALGORITHM } from './signing-key';
import { type SigningKeyRing } from './signing-key-ring';
import { ACCESS_TOKEN_AUDIENCE, type Role, SERVICE_TOKEN_AUDIENCE, TokenType } from './token-claims';

export interface TokenIssuerOptions {
  issuer: string;
  accessTokenTtlSeconds: number;
  /**
   * Admin access tokens live shorter: an admin token that leaks, or outlives a demotion where no
   * revocation list reaches, carries the most power. Default: `accessTokenTtlSeconds`.
   */
  adminAccessTokenTtlSeconds?: number;
  serviceTokenTtlSeconds: number;
}

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS = 5 * 60;
export const DEFAULT_SERVICE_TOKEN_TTL_SECONDS = 5 * 60;

export interface IssuedToken {
  token: string;
  jti: string;
  expiresIn: number;
}

/** Signs tokens with the key ring's active key. Only the `users` service holds one. */
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeyRing,
    private readonly options: TokenIssuerOptions,
  ) {}

  issueAccessToken(user: {
    userId: string;
    role: Role;
    sessionId: string;
    /** The session's last login or reauthentication (a refresh keeps it): what step-up checks. */
    authenticatedAt: Date;
    /** Whether the session entered a second factor (at login, or at a reauthentication): the `amr` claim. */
    secondFactor: boolean;
  }): IssuedToken {
    return this.sign(
      {
        typ: TokenType.Access,
        role: user.role,
        sid: user.sessionId,
        auth_time: Math.floor(user.authenticatedAt.getTime() / 1000),
        amr: user.secondFactor ? ['pwd', 'otp', 'mfa'] : ['pwd'],
      },
      user.userId,
      ACCESS_TOKEN_AUDIENCE,
      // Never longer than a user's: lowering the one lifetime must not leave admins with longer tokens.
      user.role === 'admin'
        ? Math.min(
            this.options.adminAccessTokenTtlSeconds ?? this.options.accessTokenTtlSeconds,
            this.options.accessTokenTtlSeconds,
          )
        : this.options.accessTokenTtlSeconds,
    );
  }

  issueServiceToken(client: { clientId: string; scopes: readonly string[] }): IssuedToken {
    return this.sign(
      { typ: TokenType.Service, scope: client.scopes.join(' ') },
      client.clientId,
      SERVICE_TOKEN_AUDIENCE,
      this.options.serviceTokenTtlSeconds,
    );
  }

  private sign(claims: object, subject: string, audience: string, ttlSeconds: number): IssuedToken {
    const jti = randomUUID();
    const { active } = this.keys;
    const token = jwt.sign(claims, active.privateKey!, {
      algorithm: SIGNING_ALGORITHM,
      keyid: active.kid,
      issuer: this.options.issuer,
      audience,
      subject,
      jwtid: jti,
      expiresIn: ttlSeconds,
    });
    return { token, jti, expiresIn: ttlSeconds };
  }
}
