import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * "Sign in with OpenID Connect": the sign-ins under way (one row from the redirect to the provider until its
 * answer comes back: the state's digest, the nonce, the PKCE verifier sealed, the digest of the browser's
 * binding cookie; deleted when used, dead after ten minutes), and the identities at a provider that are linked to
 * an account (one account per issuer and subject).
 */
export class CreateOidcTables1732300000007 implements MigrationInterface {
  name = 'CreateOidcTables1732300000007';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE oidc_transactions (
        state_hash            char(64)     PRIMARY KEY,
        binding_hash          char(64)     NOT NULL,
        nonce                 varchar(64)  NOT NULL,
        code_verifier_sealed  varchar(255) NOT NULL,
        purpose               varchar(16)  NOT NULL CHECK (purpose IN ('sign-in', 'link')),
        account_id            uuid         REFERENCES accounts (id) ON DELETE CASCADE,
        created_at            timestamptz  NOT NULL DEFAULT now(),
        expires_at            timestamptz  NOT NULL,
        CHECK ((purpose = 'link') = (account_id IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX oidc_transactions_expires_at ON oidc_transactions (expires_at)`);
    await db.query(`
      CREATE TABLE external_identities (
        issuer     varchar(255) NOT NULL,
        subject    varchar(255) NOT NULL,
        account_id uuid         NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        email      varchar(254),
        created_at timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (issuer, subject)
      )`);
    await db.query(`CREATE INDEX external_identities_account_id ON external_identities (account_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE external_identities`);
    await db.query(`DROP TABLE oidc_transactions`);
  }
}
