import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { parsePublicKeyBundle, readOrCreateSecretFile, SigningKey, SigningKeyRing } from '@runnerly/security';
import { type UsersConfig } from '../users.config';

export const DEV_SIGNING_KEY_FILE = 'jwt-signing-key.pem';

/**
 * The key ring of the token issuer: the configured private key (production), or a development key
 * generated once into DEV_SECRETS_DIR, plus the retired public keys still to be published. The keys are
 * logged by id only, never as key material.
 */
export async function loadSigningKeys(config: UsersConfig): Promise<SigningKeyRing> {
  const privateKeyPem = config.JWT_PRIVATE_KEY ?? (await developmentKey(config));
  // loadConfig has already refused a bundle that is not made of public keys only (IsPublicKeyBundle).
  const retired = config.JWT_RETIRED_PUBLIC_KEYS ? parsePublicKeyBundle(config.JWT_RETIRED_PUBLIC_KEYS) : [];
  const ring = new SigningKeyRing(SigningKey.fromPrivateKeyPem(privateKeyPem), retired);
  new Logger('SigningKeys').log(
    { activeKid: ring.active.kid, retiredKids: retired.map((key) => key.kid) },
    'Signing keys loaded',
  );
  return ring;
}

function developmentKey(config: UsersConfig): Promise<string> {
  // loadConfig already refuses to start a production service without JWT_PRIVATE_KEY; this is a second lock.
  if (config.NODE_ENV === 'production') throw new Error('JWT_PRIVATE_KEY is required in production');
  const path = join(config.DEV_SECRETS_DIR, DEV_SIGNING_KEY_FILE);
  new Logger('SigningKeys').log({ path }, 'Using the development signing key (created on first start)');
  return readOrCreateSecretFile(path, () =>
    generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  );
}
