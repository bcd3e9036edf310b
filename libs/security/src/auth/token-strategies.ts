import { type KeyObject, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import passport from 'passport';
import {
  ExtractJwt,
  Strategy as JwtStrategy,
  type StrategyOptionsWithoutRequest,
  type VerifiedCallback,
} from 'passport-jwt';
import { SIGNING_ALGORITHM } from '../tokens/signing-key';
import { ACCESS_TOKEN_AUDIENCE, SERVICE_TOKEN_AUDIENCE } from '../tokens/token-claims';
import {
  AUTH_MODULE_OPTIONS,
  type AuthModuleOptions,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
} from './auth-module.options';
import { type Principal } from './principal';
import { keyIdOf, toServicePrincipal, toUserPrincipal } from './token-validation';

// All of passport and passport-jwt is in this file: the rules a token must meet are in token-validation.ts,
// and JwtAuthGuard runs these strategies.

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

/**
 * passport-jwt settings shared by both strategies: bearer tokens only, a header exactly as our issuer
 * writes it (checked before any key lookup, see TOKEN_HEADER_RULES), exactly one algorithm (so `none`
 * and HS256-signed-with-the-public-key tokens are refused), the issuer and audience checked, and the
 * key chosen by `kid` from the KeyResolver.
 */
export function jwtStrategyOptions(
  options: AuthModuleOptions,
  audience: string,
): StrategyOptionsWithoutRequest {
  return {
    jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
    algorithms: [SIGNING_ALGORITHM],
    issuer: options.issuer,
    audience,
    ignoreExpiration: false,
    jsonWebTokenOptions: { clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS },
    secretOrKeyProvider: (
      _request: FastifyRequest,
      rawToken: string,
      done: (error: Error | null, key?: string) => void,
    ) => {
      let kid: string;
      try {
        kid = keyIdOf(rawToken);
      } catch (error) {
        return done(error as Error);
      }
      options.keyResolver.resolve(kid).then(
        // passport-jwt's types allow only string or Buffer keys, but jsonwebtoken takes a KeyObject,
        // which avoids parsing the key again on every request.
        (key: KeyObject | undefined) =>
          key ? done(null, key as unknown as string) : done(new Error('Unknown key id')),
        (error: Error) => done(error),
      );
    },
  };
}
