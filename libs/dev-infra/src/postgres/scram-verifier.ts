import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's own default (`scram_iterations`). */
const ITERATIONS = 4096;
const SALT_BYTES = 16;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677), computed on the client the
 * way `psql`'s `\password` does. Sending the verifier instead of the password in `CREATE/ALTER ROLE` keeps
 * the plain password out of the server's statement log, its error reports and `pg_stat_activity`.
 *
 * The password must be printable ASCII: for it, the SASLprep normalisation that PostgreSQL clients apply at
 * login is the identity, so the verifier computed here always matches. Callers validate that.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const saltedPassword = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
