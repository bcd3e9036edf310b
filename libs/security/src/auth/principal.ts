import { type Role } from '../tokens/token-claims';

/** A signed-in person, from a verified user access token. */
export interface UserPrincipal {
  kind: 'user';
  id: string;
  role: Role;
  sessionId: string;
  tokenId: string;
  /**
   * When the user last proved who they are in this session (the login, or a reauthentication), in seconds
   * since the epoch: the token's `auth_time`. Absent from tokens issued before the claim existed.
   */
  authTime?: number;
  /** Whether the session entered a second factor (`mfa` in the token's `amr`). */
  secondFactor: boolean;
  /**
   * The role this user holds but may not use in this session, because admin powers need a second factor and
   * the session entered none (`role` is then `user`): set by the JwtAuthGuard, explained by the RolesGuard.
   */
  withheldRole?: Role;
}

/** Another service, from a verified client-credentials token. */
export interface ServicePrincipal {
  kind: 'service';
  clientId: string;
  scopes: readonly string[];
  tokenId: string;
}

export type Principal = UserPrincipal | ServicePrincipal;
