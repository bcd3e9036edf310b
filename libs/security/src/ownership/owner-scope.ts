import { AuditedException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { AuditEvent } from '../logging/audit-log.service';
import { type UserPrincipal } from '../auth/principal';
import { withheldRoleRefusal } from '../auth/withheld-role';

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
   * an admin may name anyone, or no one for all owners (an admin whose role is withheld for want of a second
   * factor acts as a user, and is told why when naming someone else). A refusal is audited as `authz.denied`: a user
   * probing other users' ids is exactly what an operator must see.
   */
  static of(principal: UserPrincipal, requestedOwnerId?: string): OwnerScope {
    if (principal.role === 'admin') return new OwnerScope(requestedOwnerId ?? null);
    if (requestedOwnerId !== undefined && requestedOwnerId !== principal.id) {
      if (principal.withheldRole === 'admin') throw withheldRoleRefusal(principal, requestedOwnerId);
      throw new AuditedException(ErrorCode.Forbidden, "Only admins may read other users' data.", {
        event: AuditEvent.AccessDenied,
        details: { userId: principal.id, targetId: requestedOwnerId, reason: 'requires role admin' },
      });
    }
    return new OwnerScope(principal.id);
  }

  /** Exactly one owner's objects, e.g. for a service purging a deleted user's data. */
  static ofOwner(ownerId: string): OwnerScope {
    return new OwnerScope(ownerId);
  }
}
