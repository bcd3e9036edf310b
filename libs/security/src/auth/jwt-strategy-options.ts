import { type KeyObject } from 'node:crypto';
import { type FastifyRequest } from 'fastify';
import jwt from 'jsonwebtoken';
import { ExtractJwt, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { SIGNING_ALGORITHM } from '../tokens/signing-key';
import { type AuthModuleOptions, DEFAULT_CLOCK_TOLERANCE_SECONDS } from './auth-module.options';

/**
 * passport-jwt settings shared by both strategies: bearer tokens only, exactly one algorithm (so `none`
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
      const kid = keyIdOf(rawToken);
      if (typeof kid !== 'string') return done(new Error('Token has no key id'));
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

/**
 * The `kid` of a token's header, or undefined. jsonwebtoken's decode parses the payload too and throws
 * when it is no JSON (a 500 for any forged token with a broken payload), so that is a missing kid too.
 */
function keyIdOf(rawToken: string): unknown {
  try {
    return jwt.decode(rawToken, { complete: true })?.header.kid;
  } catch {
    return undefined;
  }
}
