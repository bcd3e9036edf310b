import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateErasedAccounts1732400000001 implements MigrationInterface {
  name = 'CreateErasedAccounts1732400000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE erased_accounts (
        user_id   uuid PRIMARY KEY,
        erased_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE erased_accounts`);
  }
}
