import { type KeyObject } from 'node:crypto';
import { type KeyResolver } from './key-resolver';
import { type PublicJwk, SigningKey } from './signing-key';

export interface Jwks {
  keys: PublicJwk[];
}

/**
 * The keys of the token issuer: one active key signs; older keys stay published and keep verifying the
 * tokens they signed until those expire. Rotating is: make a new key active, keep the old one as
 * `retired` for at least one access-token lifetime, then drop it.
 */
export class SigningKeyRing implements KeyResolver {
  private readonly byKid: ReadonlyMap<string, SigningKey>;

  constructor(
    readonly active: SigningKey,
    retired: readonly SigningKey[] = [],
  ) {
    if (!active.canSign) throw new Error('The active signing key must include its private key');
    this.byKid = new Map([...retired, active].map((key) => [key.kid, key]));
  }

  async resolve(kid: string): Promise<KeyObject | undefined> {
    return this.byKid.get(kid)?.publicKey;
  }

  jwks(): Jwks {
    return { keys: [...this.byKid.values()].map((key) => key.toJwk()) };
  }
}
