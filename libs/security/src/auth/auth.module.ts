import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions, ConfigurableAuthModule } from './auth-module.options';
import { JwtAuthGuard, SESSION_VALIDATOR } from './jwt-auth.guard';
import { RevokedSessions } from './revoked-sessions';
import { RouteAccessAudit } from './route-access';
import { RecentAuthenticationGuard } from './recent-authentication.guard';
import { RolesGuard } from './roles.guard';
import { ScopesGuard } from './scopes.guard';
import { TokenStrategies } from './token-strategies';

/**
 * Authentication and authorization for a service, opted into once in its root module:
 * `AuthModule.forRoot({ issuer, keyResolver })`. From then on every route requires a valid user token,
 * unless marked `@Public()` or `@Scopes(...)`, and must say whom it is for: `@Public()`, `@Roles(...)` or
 * `@Scopes(...)` (RouteAccessAudit refuses to start otherwise). A user token is also
 * checked against the current state of its session (SessionValidator), so it stops working when the
 * session ends, and roles are those of now, not those of the token. `@RequireRecentAuthentication()` routes
 * also need a recent password entry (step-up).
 * Import it after `RateLimitModule`, so that rate limits count requests that fail authentication too.
 */
@Module({
  imports: [PassportModule, DiscoveryModule],
  providers: [
    TokenStrategies,
    RevokedSessions,
    RouteAccessAudit,
    {
      provide: SESSION_VALIDATOR,
      inject: [AUTH_MODULE_OPTIONS, RevokedSessions],
      useFactory: (options: AuthModuleOptions, revoked: RevokedSessions) =>
        options.sessionValidator ?? revoked,
    },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: ScopesGuard },
    { provide: APP_GUARD, useClass: RecentAuthenticationGuard },
  ],
  exports: [RevokedSessions],
})
export class AuthModule extends ConfigurableAuthModule {}
