import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Email verification and password reset: when an account proved it reads its mailbox, the single-use tokens
 * that the mailed links carry (digests only), and the queue of mails asked for. A queued request holds an email
 * address and no token: the token is made when the mail is sent, so no table ever holds a working link.
 */
export class CreateEmailLinkTables1732300000005 implements MigrationInterface {
  name = 'CreateEmailLinkTables1732300000005';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE accounts ADD COLUMN email_verified_at timestamptz`);
    await db.query(`
      CREATE TABLE email_link_tokens (
        token_hash char(64)     PRIMARY KEY,
        account_id uuid         NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        purpose    varchar(16)  NOT NULL CHECK (purpose IN ('verify-email', 'reset-password')),
        email      varchar(254) NOT NULL,
        created_at timestamptz  NOT NULL DEFAULT now(),
        expires_at timestamptz  NOT NULL,
        used_at    timestamptz
      )`);
    await db.query(`CREATE INDEX email_link_tokens_account ON email_link_tokens (account_id, purpose)`);
    await db.query(`
      CREATE TABLE email_link_requests (
        id              uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
        purpose         varchar(16)  NOT NULL CHECK (purpose IN ('verify-email', 'reset-password')),
        email           varchar(254) NOT NULL,
        request_id      varchar(128),
        requested_at    timestamptz  NOT NULL DEFAULT now(),
        attempts        integer      NOT NULL DEFAULT 0,
        next_attempt_at timestamptz  NOT NULL DEFAULT now(),
        last_error      varchar(200)
      )`);
    await db.query(`CREATE INDEX email_link_requests_due ON email_link_requests (next_attempt_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE email_link_requests`);
    await db.query(`DROP TABLE email_link_tokens`);
    await db.query(`ALTER TABLE accounts DROP COLUMN email_verified_at`);
  }
}
