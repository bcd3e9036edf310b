import { type ValidationOptions } from 'class-validator';
import { ParsesAs } from '../config/parses-as.decorator';
import { SigningKey } from './signing-key';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/**
 * Reads a bundle of public keys (concatenated SPKI PEM blocks, what `openssl pkey -pubout` writes), e.g.
 * the retired signing keys still published during a rotation. Anything else is refused, never skipped:
 * a pasted private key would be silently turned into its public half (and the secret kept in config and
 * logs), and a key skipped by mistake would log every user out without saying why.
 */
export function parsePublicKeyBundle(text: string): SigningKey[] {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw new Error('holds no PEM block');
  const wrong = blocks.find((block) => block[1] !== 'PUBLIC KEY');
  if (wrong) throw new Error(`only "BEGIN PUBLIC KEY" blocks are accepted, found "BEGIN ${wrong[1]}"`);
  return blocks.map((block, index) => {
    try {
      return SigningKey.fromPublicKey(block[0]);
    } catch (error) {
      throw new Error(`key ${index + 1}: ${error instanceof Error ? error.message : 'not a valid key'}`, {
        cause: error,
      });
    }
  });
}

/** Validates a config field as a public key bundle (see parsePublicKeyBundle), so a bad one stops the boot. */
export function IsPublicKeyBundle(options?: ValidationOptions): PropertyDecorator {
  return ParsesAs('isPublicKeyBundle', parsePublicKeyBundle, options);
}
