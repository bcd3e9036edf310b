import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { ACCESS_TOKEN_AUDIENCE } from '../tokens/token-claims';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from './auth-module.options';
import { jwtStrategyOptions } from './jwt-strategy-options';
import { type UserPrincipal } from './principal';
import { toUserPrincipal } from './token-validation';

export const ACCESS_TOKEN_STRATEGY = 'runnerly-access-token';

/** Verifies a user's access token and turns its claims into a UserPrincipal. */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, ACCESS_TOKEN_STRATEGY) {
  constructor(@Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions) {
    super(jwtStrategyOptions(options, ACCESS_TOKEN_AUDIENCE));
  }

  validate(claims: Record<string, unknown>): UserPrincipal {
    return toUserPrincipal(claims);
  }
}
