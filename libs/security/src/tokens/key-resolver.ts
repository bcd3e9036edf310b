import { type KeyObject } from 'node:crypto';

/**
 * Finds the public key that verifies a token, by the `kid` in the token's header. `users` resolves from
 * its own key ring; every other service from the JWKS that `users` publishes.
 */
export interface KeyResolver {
  resolve(kid: string): Promise<KeyObject | undefined>;
}
