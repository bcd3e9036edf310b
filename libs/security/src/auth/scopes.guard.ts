import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode } from '../errors/error-code';
import { AppException } from '../errors/app.exception';
import { AuditEvent, AuditLog } from '../logging/audit-log.service';
import { REQUIRED_SCOPES } from './auth.decorators';
import { type Principal } from './principal';

/** Enforces `@Scopes(...)`: the service token must carry every scope the route names. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required === undefined) return true;
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal?.kind === 'service' && required.every((scope) => principal.scopes.includes(scope)))
      return true;

    this.audit.record(AuditEvent.AccessDenied, {
      clientId: principal?.kind === 'service' ? principal.clientId : undefined,
      reason: `requires scope ${required.join(' ')}`,
    });
    throw new AppException(ErrorCode.Forbidden, 'You are not allowed to do this.');
  }
}
