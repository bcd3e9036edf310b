import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** TOTP two-factor: the encrypted secret per account, its recovery codes (digests), and the login challenges. */
export class CreateSecondFactorTables1732300000004 implements MigrationInterface {
  name = 'CreateSecondFactorTables1732300000004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE account_totp (
        account_id     uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
        secret_sealed  varchar(255) NOT NULL,
        key_id         varchar(32)  NOT NULL,
        confirmed_at   timestamptz,
        last_used_step bigint       NOT NULL DEFAULT 0,
        created_at     timestamptz  NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE mfa_recovery_codes (
        account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        code_digest char(64)    NOT NULL,
        used_at     timestamptz,
        PRIMARY KEY (account_id, code_digest)
      )`);
    await db.query(`
      CREATE TABLE login_challenges (
        token_hash         char(64)     PRIMARY KEY,
        account_id         uuid         NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        client_description varchar(120),
        expires_at         timestamptz  NOT NULL,
        failed_attempts    integer      NOT NULL DEFAULT 0,
        used_at            timestamptz
      )`);
    await db.query(`CREATE INDEX login_challenges_account_id ON login_challenges (account_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE login_challenges`);
    await db.query(`DROP TABLE mfa_recovery_codes`);
    await db.query(`DROP TABLE account_totp`);
  }
}
