import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** The one algorithm Runnerly signs and accepts (RFC 8725 §3.1: allowlist exactly one per key). */
export const SIGNING_ALGORITHM = 'RS256';
const MIN_RSA_BITS = 2048;

export interface PublicJwk extends JsonWebKey {
  kty: 'RSA';
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
  n: string;
  e: string;
}

/**
 * An RSA key pair (or only its public half, for a key that still verifies but no longer signs), held as
 * `KeyObject`s: parsing a PEM string on every request costs about ten times more than verifying.
 * The key id is the RFC 7638 thumbprint of the public key, so it never needs configuring.
 */
export class SigningKey {
  private constructor(
    readonly kid: string,
    readonly publicKey: KeyObject,
    readonly privateKey?: KeyObject,
  ) {}

  static fromPrivateKeyPem(pem: string): SigningKey {
    const privateKey = createPrivateKey(pem);
    const publicKey = createPublicKey(privateKey);
    assertStrongRsaKey(publicKey);
    return new SigningKey(thumbprintOf(publicKey), publicKey, privateKey);
  }

  static fromPublicKey(key: KeyObject | string): SigningKey {
    const publicKey = typeof key === 'string' ? createPublicKey(key) : key;
    assertStrongRsaKey(publicKey);
    return new SigningKey(thumbprintOf(publicKey), publicKey);
  }

  static fromJwk(jwk: JsonWebKey): SigningKey {
    return SigningKey.fromPublicKey(createPublicKey({ key: jwk, format: 'jwk' }));
  }

  get canSign(): boolean {
    return this.privateKey !== undefined;
  }

  toJwk(): PublicJwk {
    const { n, e } = this.publicKey.export({ format: 'jwk' });
    return { kty: 'RSA', kid: this.kid, alg: SIGNING_ALGORITHM, use: 'sig', n: n!, e: e! };
  }
}

function assertStrongRsaKey(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`Signing keys must be RSA (got ${key.asymmetricKeyType})`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw new Error(`RSA signing keys must have at least ${MIN_RSA_BITS} bits (got ${bits})`);
}

/** RFC 7638: SHA-256 over the required members of the JWK, in lexicographic order, base64url-encoded. */
function thumbprintOf(publicKey: KeyObject): string {
  const { e, n } = publicKey.export({ format: 'jwk' });
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}
