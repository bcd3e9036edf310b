import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { type UserPrincipal } from '../auth/principal';

/**
 * Whose objects a request may touch (OWASP API1: broken object-level authorization). It is built from
 * the authenticated principal, never from request input alone: a user's scope is always their own id;
 * an admin's scope is every owner, or the one owner they name.
 */
export class OwnerScope {
  private constructor(
    /** The one owner whose objects are visible, or null for every owner. */
    readonly ownerId: string | null,
  ) {}

  /**
   * A user may name only themselves as owner (naming someone else is refused, not silently ignored);
   * an admin may name anyone, or no one for all owners.
   */
  static of(principal: UserPrincipal, requestedOwnerId?: string): OwnerScope {
    if (principal.role === 'admin') return new OwnerScope(requestedOwnerId ?? null);
    if (requestedOwnerId !== undefined && requestedOwnerId !== principal.id) {
      throw new AppException(ErrorCode.Forbidden, "Only admins may read other users' data.");
    }
    return new OwnerScope(principal.id);
  }

  /** Exactly one owner's objects, e.g. for a service purging a deleted user's data. */
  static ofOwner(ownerId: string): OwnerScope {
    return new OwnerScope(ownerId);
  }
}
