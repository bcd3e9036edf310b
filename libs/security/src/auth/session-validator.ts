import { type UserPrincipal } from './principal';

/**
 * Decides, on every request with a user token, whether the token's session still stands and with which
 * role, so that a token outliving a logout, a password change, a demotion or a deletion stops working
 * at once rather than when it expires (privilege persistence). `users` answers from its database; the
 * other services from the list of revoked sessions that `users` publishes (RevokedSessions).
 */
export interface SessionValidator {
  /** The principal as it stands now (its current role), or null when its session has ended. */
  current(principal: UserPrincipal): Promise<UserPrincipal | null>;
}
