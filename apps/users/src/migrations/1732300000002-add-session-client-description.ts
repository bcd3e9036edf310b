import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** What the client that logged in said it was, so that its owner can tell one session from another. */
export class AddSessionClientDescription1732300000002 implements MigrationInterface {
  name = 'AddSessionClientDescription1732300000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN client_description varchar(120)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN client_description`);
  }
}
