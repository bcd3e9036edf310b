import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { IsOptional } from 'class-validator';
import { ConfigError } from '../config/config-error';
import { loadConfig } from '../config/load-config';
import { FieldDecryptionError, FieldEncryption, IsFieldEncryptionKeyRing } from './field-encryption';

/** A fresh random key, as an operator would generate one: no key in this file is ever real. */
function newKey(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Replaces part `index` of a sealed value (0 version, 1 key id, 2 iv, 3 ciphertext, 4 tag). */
function withPart(sealed: string, index: number, part: string): string {
  const parts = sealed.split('.');
  parts[index] = part;
  return parts.join('.');
}

/** Flips one bit of a base64url part, so its bytes really change (not only unused trailing bits). */
function flipBit(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] ^= 0x01;
  return bytes.toString('base64url');
}

/** Stands for a TOTP secret; made up, like every value in this file. */
const PLAINTEXT = 'example-totp-secret';
const CONTEXT = 'totp-secret:3f1c9a52-0d4e-4b7a-9c61-2f8e5d7a1b90';

describe('FieldEncryption', () => {
  const encryption = FieldEncryption.fromKeyRing(`k1:${newKey()}`);

  it('opens what it sealed, in the same context', () => {
    const sealed = encryption.seal(PLAINTEXT, CONTEXT);

    expect(encryption.open(sealed, CONTEXT)).toBe(PLAINTEXT);
  });

  it('round-trips the empty string and text outside ASCII', () => {
    expect(encryption.open(encryption.seal('', CONTEXT), CONTEXT)).toBe('');
    expect(encryption.open(encryption.seal('Grüße, 走る 🏃', CONTEXT), CONTEXT)).toBe('Grüße, 走る 🏃');
  });

  it('seals as v1.<keyId>.<iv>.<ciphertext>.<tag>, with a 96-bit iv and a 128-bit tag', () => {
    const [version, keyId, iv, ciphertext, tag, ...rest] = encryption.seal('secret', CONTEXT).split('.');

    expect([version, keyId, rest]).toEqual(['v1', 'k1', []]);
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(ciphertext, 'base64url')).toHaveLength('secret'.length);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
  });

  it('seals one value differently every time (a fresh random iv), so equal secrets do not show', () => {
    const seals = new Set(Array.from({ length: 50 }, () => encryption.seal('same secret', CONTEXT)));
    const ivs = new Set([...seals].map((sealed) => sealed.split('.')[2]));

    expect(seals.size).toBe(50);
    expect(ivs.size).toBe(50);
  });

  it('never shows the plaintext in the sealed value', () => {
    const sealed = encryption.seal(PLAINTEXT, CONTEXT);

    expect(sealed).not.toContain(PLAINTEXT);
    expect(sealed).not.toContain(Buffer.from(PLAINTEXT).toString('base64url'));
  });

  it.each([
    ['iv', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ])('refuses a value whose %s was changed', (_part, index) => {
    const sealed = encryption.seal(PLAINTEXT, CONTEXT);
    const tampered = withPart(sealed, index, flipBit(sealed.split('.')[index]));

    expect(() => encryption.open(tampered, CONTEXT)).toThrow(FieldDecryptionError);
  });

  it('refuses a value copied into another row (another context)', () => {
    const sealed = encryption.seal(PLAINTEXT, 'totp-secret:account-a');

    expect(() => encryption.open(sealed, 'totp-secret:account-b')).toThrow(FieldDecryptionError);
    expect(() => encryption.open(sealed, 'recovery:account-a')).toThrow(
      /changed, or sealed for another context/,
    );
  });

  it('refuses a value relabelled with another key id, even one holding the same key', () => {
    const key = newKey();
    const ring = FieldEncryption.fromKeyRing(`k1:${key},k2:${key}`);
    const sealed = ring.seal(PLAINTEXT, CONTEXT);

    expect(() => ring.open(withPart(sealed, 1, 'k2'), CONTEXT)).toThrow(FieldDecryptionError);
  });

  it('refuses a value sealed under a key that is not in the ring, naming only the key id', () => {
    const sealed = FieldEncryption.fromKeyRing(`gone:${newKey()}`).seal(PLAINTEXT, CONTEXT);

    expect(() => encryption.open(sealed, CONTEXT)).toThrow(
      new FieldDecryptionError('its key "gone" is not in the key ring'),
    );
  });

  it('refuses a value sealed with the same key id but another key', () => {
    const sealed = FieldEncryption.fromKeyRing(`k1:${newKey()}`).seal(PLAINTEXT, CONTEXT);

    expect(() => encryption.open(sealed, CONTEXT)).toThrow(FieldDecryptionError);
  });

  describe('refuses malformed values without showing them', () => {
    const sealed = encryption.seal(PLAINTEXT, CONTEXT);
    const [, , iv, ciphertext, tag] = sealed.split('.');

    it.each([
      ['the empty string', ''],
      ['plain text', PLAINTEXT],
      ['a part missing', [`v1`, 'k1', iv, ciphertext].join('.')],
      ['a part too many', `${sealed}.AAAA`],
      ['another version', withPart(sealed, 0, 'v2')],
      ['an invalid key id', withPart(sealed, 1, 'K1')],
      ['an iv of 8 bytes', withPart(sealed, 2, newKey(8))],
      [
        'a tag cut to 12 bytes',
        withPart(sealed, 4, Buffer.from(tag, 'base64url').subarray(0, 12).toString('base64url')),
      ],
      ['characters outside base64url', withPart(sealed, 3, `${ciphertext}!`)],
      ['base64 padding', withPart(sealed, 2, `${iv}==`)],
    ])('%s', (_case, malformed) => {
      expect(() => encryption.open(malformed, CONTEXT)).toThrow(FieldDecryptionError);
      expect(() => encryption.keyIdOf(malformed)).toThrow(FieldDecryptionError);
      expect(() => encryption.open(malformed, CONTEXT)).toThrow('it is not a v1 sealed value');
    });
  });

  it('refuses to seal without a context', () => {
    expect(() => encryption.seal(PLAINTEXT, '')).toThrow(/needs a context/);
  });

  describe('key rotation', () => {
    const oldKey = newKey();
    const before = FieldEncryption.fromKeyRing(`2025-01:${oldKey}`);
    const after = FieldEncryption.fromKeyRing(`2026-06:${newKey()}, 2025-01:${oldKey}`);
    const sealedBefore = before.seal(PLAINTEXT, CONTEXT);

    it('seals with the first key of the ring', () => {
      expect(after.currentKeyId).toBe('2026-06');
      expect(after.keyIdOf(after.seal('x', CONTEXT))).toBe('2026-06');
    });

    it('still opens values sealed under an older key, and marks them for re-encryption', () => {
      expect(after.keyIdOf(sealedBefore)).toBe('2025-01');
      expect(after.open(sealedBefore, CONTEXT)).toBe(PLAINTEXT);
      expect(after.needsReencryption(sealedBefore)).toBe(true);
    });

    it('does not mark values sealed under the current key', () => {
      const resealed = after.seal(after.open(sealedBefore, CONTEXT), CONTEXT);

      expect(after.needsReencryption(resealed)).toBe(false);
      expect(after.open(resealed, CONTEXT)).toBe(PLAINTEXT);
    });
  });

  describe('refuses an invalid key ring without showing key material', () => {
    const key = newKey();

    it.each([
      ['an empty ring', '', /key ring is empty/],
      ['a blank ring', '  ', /key ring is empty/],
      ['a key without id', key, /entry 1 must be "<keyId>:<key>"/],
      ['an empty key id', `:${key}`, /entry 1 must be "<keyId>:<key>"/],
      ['an upper-case key id', `K1:${key}`, /entry 1 must be/],
      ['a key id longer than 32', `${'a'.repeat(33)}:${key}`, /entry 1 must be/],
      ['a key id with a dot', `k.1:${key}`, /entry 1 must be/],
      ['a key and id swapped', `${key}:k1`, /entry 1 must be/],
      ['a trailing comma', `k1:${key},`, /entry 2 must be/],
      ['a duplicate key id', `k1:${key},k2:${newKey()},k1:${newKey()}`, /key id "k1" twice/],
      ['a 16-byte key', `k1:${newKey(16)}`, /key "k1" must be 32 random bytes/],
      ['a 33-byte key', `k1:${newKey(33)}`, /key "k1" must be 32 random bytes/],
      ['an empty key', 'k1:', /key "k1" must be 32 random bytes/],
      ['a padded key', `k1:${key}=`, /key "k1" must be 32 random bytes/],
      ['a standard base64 key', `k1:${randomBytes(32).toString('base64')}`, /key "k1" must be 32/],
    ])('%s', (_case, spec, message) => {
      expect(() => FieldEncryption.fromKeyRing(spec)).toThrow(message);
      const error = captureError(() => FieldEncryption.fromKeyRing(spec));
      for (const entry of spec.split(/[,:]/).filter((text) => text.trim().length > 8)) {
        expect(error.message).not.toContain(entry.trim());
      }
    });

    it('names no key of a valid entry when a later one is wrong', () => {
      const error = captureError(() => FieldEncryption.fromKeyRing(`k1:${key},k2:${newKey(31)}`));

      expect(error.message).toMatch(/key "k2"/);
      expect(error.message).not.toContain(key);
    });
  });

  it('shows no key bytes when the ring is logged or inspected', () => {
    const key = newKey();
    const ring = FieldEncryption.fromKeyRing(`k1:${key}`);
    const bytes = Buffer.from(key, 'base64url');

    for (const shown of [JSON.stringify(ring), inspect(ring, { depth: 10, showHidden: true })]) {
      expect(shown).not.toContain(key);
      expect(shown).not.toContain(bytes.toString('hex'));
      expect(shown).not.toContain(inspect(bytes).slice('<Buffer '.length, -1));
    }
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

class KeyRingConfig {
  @IsOptional()
  @IsFieldEncryptionKeyRing()
  DATA_KEYS?: string;
}

describe('@IsFieldEncryptionKeyRing()', () => {
  it('stops loadConfig with the problem, naming the key id and never the key', () => {
    const short = newKey(16);
    const attempt = () => loadConfig(KeyRingConfig, { DATA_KEYS: `k1:${newKey()},short-1:${short}` });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('DATA_KEYS: Field encryption key "short-1" must be 32 random bytes');
    expect(() => attempt()).not.toThrow(short);
  });

  it('accepts a ring that FieldEncryption reads', () => {
    const ring = `k2:${newKey()}, k1:${newKey()}`;
    expect(loadConfig(KeyRingConfig, { DATA_KEYS: ring }).DATA_KEYS).toBe(ring);
  });
});
