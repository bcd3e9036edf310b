import { createHash, randomBytes } from 'node:crypto';

/** 256 bits from the OS CSPRNG, base64url: unguessable, and meaningless without the database. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Tokens are stored as SHA-256 digests. A fast hash is right here (unlike passwords): the input has 256
 * bits of entropy, so nothing can be brute-forced from a leaked digest.
 */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
