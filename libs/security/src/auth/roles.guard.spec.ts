import { type ExecutionContext, HttpStatus, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException, AuditedException } from '../errors/app.exception';
import { AuditEvent, type AuditLog } from '../logging/audit-log.service';
import { Public, Roles, Scopes } from './auth.decorators';
import { httpContext } from '../testing';
import { type Principal, type UserPrincipal } from './principal';
import { RolesGuard } from './roles.guard';

class Routes {
  @Roles('admin')
  adminOnly(): void {}

  @Roles('user', 'admin')
  signedIn(): void {}

  @Public()
  open(): void {}

  @Scopes('runs:purge')
  serviceOnly(): void {}

  undeclared(): void {}
}

const user = (role: 'user' | 'admin'): Principal => ({
  kind: 'user',
  id: 'user-1',
  role,
  sessionId: 's',
  tokenId: 't',
  secondFactor: false,
});
const service: Principal = { kind: 'service', clientId: 'gateway', scopes: ['runs:purge'], tokenId: 't' };

/** A request to `route` made by `principal` (none: as if authentication had been skipped). */
const requestTo = (route: keyof Routes, principal?: Principal) =>
  httpContext(Routes, route, { user: principal });

describe('RolesGuard', () => {
  const audit = { record: jest.fn() };
  const guard = new RolesGuard(new Reflector(), audit as unknown as AuditLog);
  const denial = (context: ExecutionContext) => {
    try {
      guard.canActivate(context);
    } catch (error) {
      return error;
    }
    throw new Error('expected a denial');
  };

  it('lets a user holding the role through', () => {
    expect(guard.canActivate(requestTo('adminOnly', user('admin')))).toBe(true);
  });

  it('refuses an admin route to an admin whose role is withheld (no second factor) with 403 AUTH.SECOND_FACTOR_REQUIRED', () => {
    const withheld = { ...(user('user') as UserPrincipal), withheldRole: 'admin' as const };
    const error = denial(requestTo('adminOnly', withheld));
    expect((error as AppException).getStatus()).toBe(HttpStatus.FORBIDDEN);
    expect((error as AuditedException).code).toBe('AUTH.SECOND_FACTOR_REQUIRED');
    expect((error as AuditedException).audit).toEqual({
      event: AuditEvent.AccessDenied,
      details: {
        userId: 'user-1',
        targetId: undefined,
        reason: 'role admin needs a second factor in the session',
      },
    });
    expect(guard.canActivate(requestTo('signedIn', withheld))).toBe(true);
  });

  it('lets users and admins through a route for both', () => {
    expect(guard.canActivate(requestTo('signedIn', user('user')))).toBe(true);
    expect(guard.canActivate(requestTo('signedIn', user('admin')))).toBe(true);
  });

  it('leaves @Scopes routes to the ScopesGuard', () => {
    expect(guard.canActivate(requestTo('serviceOnly', service))).toBe(true);
  });

  it('denies a user on a route that declares no role with 403: forgetting is closed, not open', () => {
    const error = denial(requestTo('undeclared', user('admin')));
    expect((error as AppException).getStatus()).toBe(HttpStatus.FORBIDDEN);
    expect(audit.record).toHaveBeenCalledWith(
      AuditEvent.AccessDenied,
      expect.objectContaining({ reason: 'the route declares no role' }),
    );
  });

  it('lets an anonymous request through a @Public route', () => {
    expect(guard.canActivate(requestTo('open'))).toBe(true);
  });

  it.each<[string, keyof Routes]>([
    ['a @Roles route', 'adminOnly'],
    ['a route without @Roles', 'undeclared'],
  ])(
    'denies with 401 when there is no principal on %s (fails closed if authentication was skipped)',
    (_case, route) => {
      expect(denial(requestTo(route))).toBeInstanceOf(UnauthorizedException);
      expect(audit.record).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['a user without the role', user('user'), { userId: 'user-1', clientId: undefined }],
    ['a service, which has no role', service, { userId: undefined, clientId: 'gateway' }],
  ])('denies %s with 403 and records authz.denied', (_case, principal, who) => {
    const error = denial(requestTo('adminOnly', principal));
    expect(error).toBeInstanceOf(AppException);
    expect((error as AppException).getStatus()).toBe(HttpStatus.FORBIDDEN);
    expect(audit.record).toHaveBeenCalledWith(AuditEvent.AccessDenied, {
      ...who,
      reason: 'requires role admin',
    });
  });
});
