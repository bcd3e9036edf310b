import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** When the session last entered its password (login or reauthentication): what step-up checks. */
export class AddSessionAuthenticatedAt1732300000003 implements MigrationInterface {
  name = 'AddSessionAuthenticatedAt1732300000003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN authenticated_at timestamptz`);
    // A session that exists already last entered its password at its login.
    await db.query(`UPDATE sessions SET authenticated_at = created_at`);
    await db.query(
      `ALTER TABLE sessions ALTER COLUMN authenticated_at SET NOT NULL, ALTER COLUMN authenticated_at SET DEFAULT now()`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN authenticated_at`);
  }
}
