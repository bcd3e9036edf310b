import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The idempotency_keys table of IdempotencyRecord; each service that takes keys lists this migration. */
export class CreateIdempotencyKeys1765000000000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE idempotency_keys (
        account_id      uuid         NOT NULL,
        key             varchar(255) NOT NULL,
        request_hash    char(64)     NOT NULL,
        response_status smallint,
        response_body   json,
        created_at      timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, key)
      )`);
    await db.query(`CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE idempotency_keys`);
  }
}
