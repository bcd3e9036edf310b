import { createHash } from 'node:crypto';

/**
 * A stable, non-reversible label for an account name (an email), to correlate audit events and rate
 * limits about one account without writing the address itself into logs or Redis.
 */
export function accountFingerprint(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 24);
}
