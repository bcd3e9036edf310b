import { type KeyObject } from 'node:crypto';
import { type FastifyRequest } from 'fastify';
import { ExtractJwt, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { SIGNING_ALGORITHM } from '../tokens/signing-key';
import { type AuthModuleOptions, DEFAULT_CLOCK_TOLERANCE_SECONDS } from './auth-module.options';
import { keyIdOf } from './token-validation';

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
