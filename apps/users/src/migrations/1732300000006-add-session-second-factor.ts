import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Whether a session entered a second factor, so that its refreshed tokens keep saying so (`amr`): where admin
 * powers need a second factor, an admin's session without one acts as a user's.
 */
export class AddSessionSecondFactor1732300000006 implements MigrationInterface {
  name = 'AddSessionSecondFactor1732300000006';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN second_factor boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN second_factor`);
  }
}
