import {
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import { SigningKey } from '../tokens/signing-key';
import { SigningKeyRing } from '../tokens/signing-key-ring';
import { selfSignedCertificate } from './self-signed-certificate';

/** A fresh RSA private key in PKCS#8 PEM, as a service would read it from a secret file. */
export function generateRsaPrivateKeyPem(modulusLength = 2048): string {
  return generateKeyPairSync('rsa', { modulusLength })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/**
 * RSA keys for a test file: the issuer's active key (and optionally retired ones) plus a foreign key that
 * belongs to nobody: the attacker's, for forged signatures. Generating a key costs 50–200 ms: make one
 * TestKeys per file.
 */
export class TestKeys {
  readonly ring: SigningKeyRing;
  private certificate?: X509Certificate;

  private constructor(
    readonly active: SigningKey,
    readonly activePrivateKeyPem: string,
    readonly retired: readonly SigningKey[],
    readonly foreignPrivateKey: KeyObject,
  ) {
    this.ring = new SigningKeyRing(active, retired);
  }

  static generate(options: { retiredKeys?: number } = {}): TestKeys {
    const pem = generateRsaPrivateKeyPem();
    const retired = Array.from({ length: options.retiredKeys ?? 0 }, () =>
      SigningKey.fromPrivateKeyPem(generateRsaPrivateKeyPem()),
    );
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    return new TestKeys(SigningKey.fromPrivateKeyPem(pem), pem, retired, foreign);
  }

  /** The active public key as PEM, which is what an attacker finds in the JWKS or a config repo. */
  get publicKeyPem(): string {
    return this.active.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** The foreign key's public half as a JWK, as an attacker publishes it or puts it in a `jwk` header. */
  get foreignPublicJwk(): JsonWebKey {
    return createPublicKey(this.foreignPrivateKey).export({ format: 'jwk' });
  }

  /** A self-signed certificate for the foreign key, as an attacker puts it in an `x5c` header. */
  get foreignCertificate(): X509Certificate {
    this.certificate ??= new X509Certificate(selfSignedCertificate(this.foreignPrivateKey));
    return this.certificate;
  }
}
