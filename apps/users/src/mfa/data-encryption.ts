import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { FieldEncryption, readOrCreateSecretFile } from '@runnerly/security';
import { type UsersConfig } from '../users.config';

export const DEV_DATA_KEYS_FILE = 'data-encryption-keys';

/**
 * The keys that encrypt secrets at rest: DATA_ENCRYPTION_KEYS (production), or a development key generated
 * once into DEV_SECRETS_DIR. Logged by key id only.
 */
export async function loadFieldEncryption(config: UsersConfig): Promise<FieldEncryption> {
  const keyRing = config.DATA_ENCRYPTION_KEYS ?? (await developmentKeys(config));
  const encryption = FieldEncryption.fromKeyRing(keyRing.trim());
  new Logger('DataEncryption').log({ currentKeyId: encryption.currentKeyId }, 'Data encryption keys loaded');
  return encryption;
}

function developmentKeys(config: UsersConfig): Promise<string> {
  // loadConfig already refuses to start a production service without DATA_ENCRYPTION_KEYS; a second lock.
  if (config.NODE_ENV === 'production') throw new Error('DATA_ENCRYPTION_KEYS is required in production');
  return readOrCreateSecretFile(
    join(config.DEV_SECRETS_DIR, DEV_DATA_KEYS_FILE),
    () => `dev-1:${randomBytes(32).toString('base64url')}`,
  );
}
