import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The CHECK constraints repeat the DTOs' bounds: a bug in validation, or a write that bypasses it, still
 * cannot store a run the API would refuse (defence in depth).
 */
export class CreateRunsTable1732400000000 implements MigrationInterface {
  name = 'CreateRunsTable1732400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE runs (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id          uuid           NOT NULL,
        title            varchar(100)   NOT NULL,
        notes            varchar(2000),
        distance_meters  integer        NOT NULL,
        duration_seconds integer        NOT NULL,
        started_at       timestamptz(3) NOT NULL,
        created_at       timestamptz(3) NOT NULL DEFAULT now(),
        updated_at       timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT runs_title_length CHECK (char_length(title) BETWEEN 1 AND 100),
        CONSTRAINT runs_distance_range CHECK (distance_meters BETWEEN 1 AND 1000000),
        CONSTRAINT runs_duration_range CHECK (duration_seconds BETWEEN 1 AND 604800),
        CONSTRAINT runs_started_at_range CHECK (started_at >= TIMESTAMPTZ '1970-01-01 00:00:00+00')
      )`);
    // Serves the list (one user's runs, newest first, keyset by (started_at, id)) and the weekly totals.
    await db.query(`CREATE INDEX runs_user_id_started_at_id ON runs (user_id, started_at DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE runs`);
  }
}
