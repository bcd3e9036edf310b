import { HttpStatus } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type AppException } from '../errors/app.exception';
import { AuditEvent, type AuditLog } from '../logging/audit-log.service';
import { Scopes } from './auth.decorators';
import { httpContext } from '../testing';
import { type Principal } from './principal';
import { ScopesGuard } from './scopes.guard';

class Routes {
  @Scopes('runs:purge', 'runs:read')
  purge(): void {}

  userRoute(): void {}
}

const service = (...scopes: string[]): Principal => ({
  kind: 'service',
  clientId: 'users',
  scopes,
  tokenId: 't',
});
const user: Principal = {
  kind: 'user',
  id: 'user-1',
  role: 'admin',
  sessionId: 's',
  tokenId: 't',
  secondFactor: false,
};

/** A request to `route` made by `principal` (none: as if authentication had been skipped). */
const requestTo = (route: keyof Routes, principal?: Principal) =>
  httpContext(Routes, route, { user: principal });

describe('ScopesGuard', () => {
  const audit = { record: jest.fn() };
  const guard = new ScopesGuard(new Reflector(), audit as unknown as AuditLog);

  it('lets a service token carrying every required scope through', () => {
    expect(guard.canActivate(requestTo('purge', service('runs:read', 'runs:purge', 'other')))).toBe(true);
  });

  it('does not apply to routes without @Scopes', () => {
    expect(guard.canActivate(requestTo('userRoute', user))).toBe(true);
  });

  it.each([
    ['a service token missing one scope', service('runs:read'), 'users'],
    ['a user, even an admin', user, undefined],
    ['a request without a principal', undefined, undefined],
  ])('denies %s with 403 and records authz.denied', (_case, principal, clientId) => {
    let denial: unknown;
    try {
      guard.canActivate(requestTo('purge', principal));
    } catch (error) {
      denial = error;
    }
    expect((denial as AppException).getStatus()).toBe(HttpStatus.FORBIDDEN);
    expect(audit.record).toHaveBeenCalledWith(AuditEvent.AccessDenied, {
      clientId,
      reason: 'requires scope runs:purge runs:read',
    });
  });
});
