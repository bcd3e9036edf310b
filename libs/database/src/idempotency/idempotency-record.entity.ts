import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The first answer to a keyed write, kept for IDEMPOTENCY_KEY_TTL_HOURS so that a retry gets it back
 * instead of writing again. The key space is (account, key): one account can never reach another's.
 * The answer columns are empty only inside the transaction that claims the key; it fills them before
 * it commits, so no other request ever sees them empty.
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyRecord {
  @PrimaryColumn({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  /** SHA-256 of the canonical request (method, URL, body): the same key with another request is refused. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash!: string;

  @Column({ name: 'response_status', type: 'smallint', nullable: true })
  responseStatus!: number | null;

  /** `json`, not `jsonb`: it keeps the first answer's text, member order included. */
  @Column({ name: 'response_body', type: 'json', nullable: true })
  responseBody!: unknown;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
