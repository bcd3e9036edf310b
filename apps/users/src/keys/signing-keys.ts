import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { ConfigError, readOrCreateSecretFile, SigningKey, SigningKeyRing } from '@runnerly/security';
import { type UsersConfig } from '../users.config';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;
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

/**
 * The PEM blocks of JWT_RETIRED_PUBLIC_KEYS. Anything but SPKI public keys ("BEGIN PUBLIC KEY") stops the
 * start: a key silently skipped during a rotation would log every user out without saying why.
 */
export function retiredPublicKeys(value: string | undefined): string[] {
  if (!value) return [];
  const blocks = [...value.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw new ConfigError(['JWT_RETIRED_PUBLIC_KEYS: holds no PEM block']);
  const wrong = blocks.map((block) => block[1]).filter((type) => type !== 'PUBLIC KEY');
  if (wrong.length > 0) {
    throw new ConfigError([
      `JWT_RETIRED_PUBLIC_KEYS: only "BEGIN PUBLIC KEY" blocks are accepted, found "BEGIN ${wrong[0]}"`,
    ]);
  }
  return blocks.map((block) => block[0]);
}
