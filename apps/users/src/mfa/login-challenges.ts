import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { generateOpaqueToken, hashOpaqueToken } from '../sessions/opaque-token';

/** Long enough to open the authenticator app and type a code; short enough that a stolen one is soon useless. */
export const LOGIN_CHALLENGE_TTL_SECONDS = 300;
/** Wrong codes one challenge takes before it is spent: then the password again. */
export const LOGIN_CHALLENGE_MAX_FAILURES = 5;

export interface LoginChallenge {
  accountId: string;
  clientDescription: string | null;
}

/**
 * The step between a right password and the second factor: an opaque, single-use token (stored as a
 * digest) that names the account, lives LOGIN_CHALLENGE_TTL_SECONDS and takes LOGIN_CHALLENGE_MAX_FAILURES
 * wrong codes. It is not a JWT and no service accepts it as a bearer token: a password alone never yields
 * anything that opens the API.
 */
@Injectable()
export class LoginChallenges {
  constructor(private readonly dataSource: DataSource) {}

  async create(accountId: string, clientDescription: string | null): Promise<string> {
    const token = generateOpaqueToken();
    // The account's expired challenges go as a new one comes: the table stays as small as the live ones.
    await this.dataSource.query(`DELETE FROM login_challenges WHERE account_id = $1 AND expires_at < now()`, [
      accountId,
    ]);
    await this.dataSource.query(
      `INSERT INTO login_challenges (token_hash, account_id, client_description, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [hashOpaqueToken(token), accountId, clientDescription, LOGIN_CHALLENGE_TTL_SECONDS],
    );
    return token;
  }

  /**
   * Takes one attempt of a live challenge, atomically (so concurrent guesses cannot exceed the allowance), or
   * undefined when the token is unknown, expired, spent or out of attempts.
   */
  async attempt(token: string): Promise<LoginChallenge | undefined> {
    const [rows]: [{ account_id: string; client_description: string | null }[], number] =
      await this.dataSource.query(
        `UPDATE login_challenges SET failed_attempts = failed_attempts + 1
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() AND failed_attempts < $2
          RETURNING account_id, client_description`,
        [hashOpaqueToken(token), LOGIN_CHALLENGE_MAX_FAILURES],
      );
    const row = rows[0];
    return row && { accountId: row.account_id, clientDescription: row.client_description };
  }

  /** Spends the challenge after a right second factor; false when another request spent it first. */
  async complete(token: string): Promise<boolean> {
    const [, updated]: [unknown, number] = await this.dataSource.query(
      `UPDATE login_challenges SET used_at = now(), failed_attempts = failed_attempts - 1
        WHERE token_hash = $1 AND used_at IS NULL`,
      [hashOpaqueToken(token)],
    );
    return updated === 1;
  }
}
