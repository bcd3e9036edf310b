import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { type ValidationOptions } from 'class-validator';
import { ParsesAs } from '../config/parses-as.decorator';

/**
 * The format of a sealed value. A new format gets a new version, and the version is authenticated with
 * the data, so a value cannot be passed off as another format's.
 */
const FORMAT_VERSION = 'v1';
/**
 * AES-GCM is authenticated encryption: a changed bit anywhere makes `open` fail, where unauthenticated
 * modes (CBC, CTR) let an attacker with write access to the table flip plaintext bits or run a padding
 * oracle.
 */
const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
/**
 * 96 bits is GCM's native nonce size (NIST SP 800-38D). Drawn at random for every value, because a nonce
 * used twice under one key reveals the XOR of both plaintexts and lets anyone forge tags for that key.
 * Random 96-bit nonces stay safe up to 2^32 values per key; rotate the key long before that.
 */
const IV_BYTES = 12;
/** The full 128-bit tag: shorter tags make forgeries cheaper, and `open` accepts no other length. */
const TAG_BYTES = 16;
const KEY_ID = /^[a-z0-9-]{1,32}$/;

/** A sealed value that cannot be opened. The message says why without showing any of the value. */
export class FieldDecryptionError extends Error {
  constructor(reason: string) {
    super(`The encrypted field cannot be opened: ${reason}`);
    this.name = 'FieldDecryptionError';
  }
}

interface SealedParts {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Encrypts single database fields (a TOTP secret, say) so that a leaked table or backup reveals nothing
 * without the key, and a value moved or edited in the database fails to open instead of being trusted.
 *
 * Keys live on a ring so they can be rotated: the first key seals, every key opens. To rotate, put a new
 * key first, re-seal the values for which `needsReencryption` is true, then drop the old key.
 */
export class FieldEncryption {
  private constructor(
    readonly currentKeyId: string,
    private readonly currentKey: KeyObject,
    private readonly keys: ReadonlyMap<string, KeyObject>,
  ) {}

  /**
   * Reads a key ring: `"<keyId>:<key>[,<keyId>:<key>...]"`, each key 32 random bytes in base64url (as
   * `generateSecret()` makes them); the first key seals. Errors name the entry by position or id, never
   * by its text, which may be key material pasted in the wrong place.
   */
  static fromKeyRing(spec: string): FieldEncryption {
    if (spec.trim() === '') {
      throw new Error('Field encryption key ring is empty: it needs at least one "<keyId>:<key>"');
    }
    const keys = new Map<string, KeyObject>();
    spec.split(',').forEach((rawEntry, index) => {
      const entry = rawEntry.trim();
      const separator = entry.indexOf(':');
      const keyId = separator === -1 ? '' : entry.slice(0, separator);
      if (!KEY_ID.test(keyId)) {
        throw new Error(
          `Field encryption key ring entry ${index + 1} must be "<keyId>:<key>" with a key id of 1 to 32 ` +
            'characters a-z, 0-9 or "-"',
        );
      }
      if (keys.has(keyId)) {
        throw new Error(`Field encryption key ring has key id "${keyId}" twice: each key needs its own id`);
      }
      const key = decodeBase64url(entry.slice(separator + 1));
      if (key?.length !== KEY_BYTES) {
        throw new Error(
          `Field encryption key "${keyId}" must be ${KEY_BYTES} random bytes in base64url without padding`,
        );
      }
      // A KeyObject, not a Buffer: logging or inspecting the ring shows no key bytes.
      keys.set(keyId, createSecretKey(key));
    });
    // A Map keeps insertion order: the first entry of the ring is the first key.
    const [[currentKeyId, currentKey]] = keys;
    return new FieldEncryption(currentKeyId, currentKey, keys);
  }

  /**
   * Encrypts `plaintext` under the current key. `context` says what the value is and whose it is
   * (`totp-secret:<accountId>`): `open` needs the same context, so a value copied into another row or
   * column does not open there.
   */
  seal(plaintext: string, context: string): string {
    if (context === '') {
      throw new Error('A sealed field needs a context (what it is and whose) so that it cannot be moved');
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.currentKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(this.currentKeyId, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const encoded = [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'));
    return [FORMAT_VERSION, this.currentKeyId, ...encoded].join('.');
  }

  /** Decrypts a value sealed for this `context`, or throws `FieldDecryptionError`. */
  open(sealed: string, context: string): string {
    const { keyId, iv, ciphertext, tag } = parseSealed(sealed);
    const key = this.keys.get(keyId);
    if (key === undefined) {
      throw new FieldDecryptionError(`its key "${keyId}" is not in the key ring`);
    }
    const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(keyId, context));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new FieldDecryptionError('it was changed, or sealed for another context');
    }
  }

  /** The id of the key that sealed `sealed`; throws `FieldDecryptionError` when it is malformed. */
  keyIdOf(sealed: string): string {
    return parseSealed(sealed).keyId;
  }

  /** True when `sealed` was sealed under an older key: open it and seal it again to finish a rotation. */
  needsReencryption(sealed: string): boolean {
    return this.keyIdOf(sealed) !== this.currentKeyId;
  }
}

/**
 * The authenticated but unencrypted data: the format version and key id (so relabelling a value with
 * another key id, even one holding the same key bytes, or another version fails) and the caller's context
 * (so a value only opens where it was sealed). Neither the version nor a key id contains a ".", so the
 * joined string reads back one way only.
 */
function associatedData(keyId: string, context: string): Buffer {
  return Buffer.from(`${FORMAT_VERSION}.${keyId}.${context}`, 'utf8');
}

function parseSealed(sealed: string): SealedParts {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== FORMAT_VERSION || !KEY_ID.test(parts[1])) {
    throw new FieldDecryptionError(`it is not a ${FORMAT_VERSION} sealed value`);
  }
  const [iv, ciphertext, tag] = parts.slice(2).map(decodeBase64url);
  if (iv?.length !== IV_BYTES || ciphertext === undefined || tag?.length !== TAG_BYTES) {
    throw new FieldDecryptionError(`it is not a ${FORMAT_VERSION} sealed value`);
  }
  return { keyId: parts[1], iv, ciphertext, tag };
}

/**
 * Strict base64url: Node's decoder skips characters outside the alphabet, so the text must be exactly what
 * encoding its bytes gives back. Every value then has one spelling, and any edit changes the bytes.
 */
function decodeBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/**
 * Validates a config field as a key ring (see FieldEncryption.fromKeyRing), so that a key of the wrong size stops
 * loadConfig, before the service connects to its database, naming the key id and never the key.
 */
export function IsFieldEncryptionKeyRing(options?: ValidationOptions): PropertyDecorator {
  return ParsesAs('isFieldEncryptionKeyRing', (value) => FieldEncryption.fromKeyRing(value), options);
}
