import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateRunPurgeOutbox1732300000001 implements MigrationInterface {
  name = 'CreateRunPurgeOutbox1732300000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE run_purge_requests (
        account_id      uuid PRIMARY KEY,
        requested_at    timestamptz NOT NULL DEFAULT now(),
        attempts        integer     NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      varchar(200),
        request_id      varchar(128)
      )`);
    await db.query(`CREATE INDEX run_purge_requests_due ON run_purge_requests (next_attempt_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE run_purge_requests`);
  }
}
