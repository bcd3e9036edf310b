import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type FastifyReply } from 'fastify';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { AuditEvent, AuditLog } from '../logging/audit-log.service';
import {
  AUTH_MODULE_OPTIONS,
  type AuthModuleOptions,
  DEFAULT_RECENT_AUTHENTICATION_SECONDS,
} from './auth-module.options';
import { REQUIRES_RECENT_AUTHENTICATION } from './auth.decorators';
import { type Principal } from './principal';

/**
 * Enforces `@RequireRecentAuthentication()` (step-up): the user must have entered their password in this
 * session within `recentAuthenticationSeconds` (the token's `auth_time`; a refresh keeps it, only a login or a
 * reauthentication renews it). An access token copied from a browser or a log is then not enough to delete
 * the account or change a role: the thief would need the password too. The refusal is RFC 9470's challenge,
 * a 401 whose `WWW-Authenticate` says `insufficient_user_authentication` and the `max_age` to meet.
 */
@Injectable()
export class RecentAuthenticationGuard implements CanActivate {
  private readonly maxAgeSeconds: number;

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
    @Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions,
  ) {
    this.maxAgeSeconds = options.recentAuthenticationSeconds ?? DEFAULT_RECENT_AUTHENTICATION_SECONDS;
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (!this.reflector.getAllAndOverride<boolean>(REQUIRES_RECENT_AUTHENTICATION, targets)) return true;
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal?.kind === 'user' && this.isRecent(principal.authTime)) return true;

    this.audit.record(AuditEvent.AccessDenied, {
      userId: principal?.kind === 'user' ? principal.id : undefined,
      reason: 'requires a recent authentication',
    });
    void context
      .switchToHttp()
      .getResponse<FastifyReply>()
      .header(
        'www-authenticate',
        `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=${this.maxAgeSeconds}`,
      );
    throw new AppException(
      ErrorCode.ReauthenticationRequired,
      'Enter your password again to do this (POST /users/me/reauthenticate).',
    );
  }

  private isRecent(authTime: number | undefined): boolean {
    return authTime !== undefined && Date.now() / 1000 - authTime <= this.maxAgeSeconds;
  }
}
