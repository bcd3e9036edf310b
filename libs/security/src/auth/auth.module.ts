import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ConfigurableAuthModule } from './auth-module.options';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RolesGuard } from './roles.guard';
import { ScopesGuard } from './scopes.guard';
import { TokenStrategies } from './token-strategies';

/**
 * Authentication and authorization for a service, opted into once in its root module:
 * `AuthModule.forRoot({ issuer, keyResolver })`. From then on every route requires a valid user token,
 * unless marked `@Public()` or `@Scopes(...)`; `@Roles(...)` restricts further.
 * Import it after `RateLimitModule`, so that rate limits count requests that fail authentication too.
 */
@Module({
  imports: [PassportModule],
  providers: [
    TokenStrategies,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: ScopesGuard },
  ],
})
export class AuthModule extends ConfigurableAuthModule {}
