import { AuditedException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { AuditEvent } from '../logging/audit-log.service';
import { type UserPrincipal } from './principal';

/**
 * The refusal of a power that the user's role grants but this session may not use, because it entered no
 * second factor (see `adminSecondFactorRequired`): 403 `AUTH.SECOND_FACTOR_REQUIRED`, saying what to do, and
 * audited as `authz.denied`. Used by every check that grants admin powers: RolesGuard and OwnerScope.
 */
export function withheldRoleRefusal(principal: UserPrincipal, targetId?: string): AuditedException {
  return new AuditedException(
    ErrorCode.SecondFactorRequired,
    'Admin powers need a second factor: turn two-factor on, then log in or reauthenticate with a code.',
    {
      event: AuditEvent.AccessDenied,
      details: {
        userId: principal.id,
        targetId,
        reason: `role ${principal.withheldRole} needs a second factor in the session`,
      },
    },
  );
}
