import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { readOrCreateSecretFile, SigningKey, SigningKeyRing } from '@runnerly/security';
import { type UsersConfig } from '../users.config';

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;
export const DEV_SIGNING_KEY_FILE = 'jwt-signing-key.pem';

/**
 * The key ring of the token issuer: the configured private key (production), or a development key
 * generated once into DEV_SECRETS_DIR, plus the retired public keys still to be published.
 */
export async function loadSigningKeys(config: UsersConfig): Promise<SigningKeyRing> {
  const privateKeyPem = config.JWT_PRIVATE_KEY ?? (await developmentKey(config));
  const retired = (config.JWT_RETIRED_PUBLIC_KEYS?.match(PEM_BLOCK) ?? []).map((pem) =>
    SigningKey.fromPublicKey(pem),
  );
  return new SigningKeyRing(SigningKey.fromPrivateKeyPem(privateKeyPem), retired);
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
