import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateIdentityTables1732300000000 implements MigrationInterface {
  name = 'CreateIdentityTables1732300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE accounts (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email         varchar(254) NOT NULL,
        display_name  varchar(100) NOT NULL,
        password_hash varchar(255) NOT NULL,
        role          varchar(16)  NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
        created_at    timestamptz(3) NOT NULL DEFAULT now(),
        updated_at    timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT accounts_email_lower CHECK (email = lower(email))
      )`);
    await db.query(`CREATE UNIQUE INDEX accounts_email_key ON accounts (email)`);
    await db.query(`CREATE INDEX accounts_created_at_id ON accounts (created_at, id)`);

    await db.query(`
      CREATE TABLE sessions (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        created_at     timestamptz NOT NULL DEFAULT now(),
        expires_at     timestamptz NOT NULL,
        revoked_at     timestamptz,
        revoked_reason varchar(32)
      )`);
    await db.query(`CREATE INDEX sessions_account_id ON sessions (account_id)`);

    await db.query(`
      CREATE TABLE refresh_tokens (
        token_hash char(64) PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        spent_at   timestamptz
      )`);
    await db.query(`CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE refresh_tokens`);
    await db.query(`DROP TABLE sessions`);
    await db.query(`DROP TABLE accounts`);
  }
}
