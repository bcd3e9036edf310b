import { createHash } from 'node:crypto';
import { normalizeEmail } from '../validation/normalize-email.decorator';

/**
 * A stable, non-reversible label for an account name (an email), to correlate audit events and rate
 * limits about one account without writing the address itself into logs or Redis. Every spelling that
 * renders the same (case, spaces, compatibility forms, invisible characters) gets the same label, as it
 * reaches the same account.
 */
export function accountFingerprint(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 24);
}
