import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import passport from 'passport';
import { Strategy as JwtStrategy, type VerifiedCallback } from 'passport-jwt';
import { ACCESS_TOKEN_AUDIENCE, SERVICE_TOKEN_AUDIENCE } from '../tokens/token-claims';
import {
  AUTH_MODULE_OPTIONS,
  type AuthModuleOptions,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
} from './auth-module.options';
import { jwtStrategyOptions } from './jwt-strategy-options';
import { type Principal } from './principal';
import { toServicePrincipal, toUserPrincipal } from './token-validation';

/**
 * The two passport-jwt strategies of one AuthModule: user access tokens and service tokens, each with
 * its own audience. They are registered under names unique to this module instance: passport's registry
 * is process-global, so with fixed names a second application in the same process (tests start several)
 * would silently replace the first one's verifier, keys and all.
 */
@Injectable()
export class TokenStrategies implements OnModuleDestroy {
  readonly userTokens = `runnerly-access-token:${randomUUID()}`;
  readonly serviceTokens = `runnerly-service-token:${randomUUID()}`;

  constructor(@Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions) {
    const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    passport.use(
      this.userTokens,
      new JwtStrategy(
        jwtStrategyOptions(options, ACCESS_TOKEN_AUDIENCE),
        verifiedAs((claims) => toUserPrincipal(claims, tolerance)),
      ),
    );
    passport.use(
      this.serviceTokens,
      new JwtStrategy(
        jwtStrategyOptions(options, SERVICE_TOKEN_AUDIENCE),
        verifiedAs((claims) => toServicePrincipal(claims, tolerance)),
      ),
    );
  }

  onModuleDestroy(): void {
    passport.unuse(this.userTokens);
    passport.unuse(this.serviceTokens);
  }
}

/** After the signature and registered claims: the token's own claims must make a principal, or it fails. */
function verifiedAs(toPrincipal: (claims: Record<string, unknown>) => Principal) {
  return (claims: Record<string, unknown>, done: VerifiedCallback): void => {
    let principal: Principal;
    try {
      principal = toPrincipal(claims);
    } catch (error) {
      return done(null, false, error);
    }
    done(null, principal);
  };
}
