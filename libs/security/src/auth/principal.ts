import { type Role } from '../tokens/token-claims';

/** A signed-in person, from a verified user access token. */
export interface UserPrincipal {
  kind: 'user';
  id: string;
  role: Role;
  sessionId: string;
  tokenId: string;
}

/** Another service, from a verified client-credentials token. */
export interface ServicePrincipal {
  kind: 'service';
  clientId: string;
  scopes: readonly string[];
  tokenId: string;
}

export type Principal = UserPrincipal | ServicePrincipal;
