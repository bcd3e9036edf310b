import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '../errors/error-code';
import { AppException } from '../errors/app.exception';
import { AuditEvent, AuditLog } from '../logging/audit-log.service';
import { type Role } from '../tokens/token-claims';
import { IS_PUBLIC, REQUIRED_ROLES, REQUIRED_SCOPES } from './auth.decorators';
import { type Principal } from './principal';
import { withheldRoleRefusal } from './withheld-role';

/**
 * Enforces `@Roles(...)` (OWASP API5: broken function-level authorization). It denies when there is no
 * principal at all, so a route that somehow skipped authentication is never open by accident, and when a
 * user route names no role, so a route that forgot to say whom it is for is closed, not open.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (!principal) throw new UnauthorizedException();

    // Service routes are ScopesGuard's to decide.
    if (this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets) ?? [];
    if (principal.kind === 'user' && roles.includes(principal.role)) return true;
    if (principal.kind === 'user' && principal.withheldRole && roles.includes(principal.withheldRole))
      throw withheldRoleRefusal(principal);

    this.audit.record(AuditEvent.AccessDenied, {
      userId: principal.kind === 'user' ? principal.id : undefined,
      clientId: principal.kind === 'service' ? principal.clientId : undefined,
      reason: roles.length > 0 ? `requires role ${roles.join(' or ')}` : 'the route declares no role',
    });
    throw new AppException(ErrorCode.Forbidden, 'You are not allowed to do this.');
  }
}
