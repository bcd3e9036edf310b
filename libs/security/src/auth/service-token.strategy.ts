import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { SERVICE_TOKEN_AUDIENCE } from '../tokens/token-claims';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from './auth-module.options';
import { jwtStrategyOptions } from './jwt-strategy-options';
import { type ServicePrincipal } from './principal';
import { toServicePrincipal } from './token-validation';

export const SERVICE_TOKEN_STRATEGY = 'runnerly-service-token';

/** Verifies a client-credentials token issued to another service. */
@Injectable()
export class ServiceTokenStrategy extends PassportStrategy(Strategy, SERVICE_TOKEN_STRATEGY) {
  constructor(@Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions) {
    super(jwtStrategyOptions(options, SERVICE_TOKEN_AUDIENCE));
  }

  validate(claims: Record<string, unknown>): ServicePrincipal {
    return toServicePrincipal(claims);
  }
}
