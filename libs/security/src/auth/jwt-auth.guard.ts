import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, type IAuthGuard } from '@nestjs/passport';
import { type FastifyRequest } from 'fastify';
import { AuditEvent, AuditLog } from '../logging/audit-log.service';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from './auth-module.options';
import { IS_PUBLIC, REQUIRED_SCOPES } from './auth.decorators';
import { type Principal, type UserPrincipal } from './principal';
import { type SessionValidator } from './session-validator';
import { TokenStrategies } from './token-strategies';

/** Injection token of the service's SessionValidator. */
export const SESSION_VALIDATOR = Symbol('runnerly:session-validator');

/**
 * Registered globally, so every route requires authentication unless it says `@Public()` (secure by
 * default). Routes marked `@Scopes(...)` take service tokens, every other route takes user access
 * tokens: each kind is refused where the other is expected. A verified user token must also still
 * belong to a live session: its principal is then replaced by the current one (current role), and, where
 * admin powers need a second factor, an admin whose session entered none acts as a user.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly userTokens: IAuthGuard;
  private readonly serviceTokens: IAuthGuard;

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
    strategies: TokenStrategies,
    @Inject(SESSION_VALIDATOR) private readonly sessions: SessionValidator,
    @Inject(AUTH_MODULE_OPTIONS) private readonly options: AuthModuleOptions,
  ) {
    this.userTokens = this.passportGuard(strategies.userTokens, 'user token');
    this.serviceTokens = this.passportGuard(strategies.serviceTokens, 'service token');
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const isServiceRoute = this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets) !== undefined;
    await (isServiceRoute ? this.serviceTokens : this.userTokens).canActivate(context);
    if (!isServiceRoute) await this.requireLiveSession(context.switchToHttp().getRequest());
    return true;
  }

  private async requireLiveSession(request: FastifyRequest & { user?: Principal }): Promise<void> {
    const principal = request.user;
    if (principal?.kind !== 'user') throw new UnauthorizedException();
    const current = await this.sessions.current(principal);
    if (!current) {
      this.audit.record(AuditEvent.TokenRejected, {
        userId: principal.id,
        targetId: principal.sessionId,
        reason: 'session ended',
        expected: 'user token',
      });
      throw new UnauthorizedException();
    }
    request.user = this.withAdminPolicy(current);
  }

  /**
   * A stolen admin password alone must not open admin powers: without a second factor in the session, the
   * admin role is withheld (and named, so that the RolesGuard can say why an admin route refuses).
   */
  private withAdminPolicy(principal: UserPrincipal): UserPrincipal {
    if (!this.options.adminSecondFactorRequired || principal.role !== 'admin' || principal.secondFactor)
      return principal;
    return { ...principal, role: 'user', withheldRole: 'admin' };
  }

  /** A passport guard that records why a presented token was refused (expired, bad signature, ...). */
  private passportGuard(strategy: string, expected: string): IAuthGuard {
    const audit = () => this.audit;
    class Guard extends AuthGuard(strategy) {
      override handleRequest<T>(error: unknown, principal: T, info: unknown, context: ExecutionContext): T {
        if (error || !principal) {
          const request = context.switchToHttp().getRequest<FastifyRequest>();
          if (request.headers.authorization) {
            audit().record(AuditEvent.TokenRejected, { reason: reasonOf(error ?? info), expected });
          }
          throw new UnauthorizedException();
        }
        return principal;
      }
    }
    return new Guard();
  }
}

function reasonOf(problem: unknown): string {
  return problem instanceof Error ? problem.message.slice(0, 100) : 'missing or invalid token';
}
