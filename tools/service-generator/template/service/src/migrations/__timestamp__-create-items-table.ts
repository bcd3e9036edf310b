import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The CHECK repeats the DTO's bound: a write that bypasses validation still cannot store a bad title. */
export class CreateItemsTable__timestamp__ implements MigrationInterface {
  name = 'CreateItemsTable__timestamp__';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE items (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id   uuid           NOT NULL,
        title      varchar(200)   NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT items_title_length CHECK (char_length(title) BETWEEN 1 AND 200)
      )`);
    // Serves the list: one owner's items, newest first.
    await db.query(`CREATE INDEX items_owner_id_created_at ON items (owner_id, created_at DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE items`);
  }
}
