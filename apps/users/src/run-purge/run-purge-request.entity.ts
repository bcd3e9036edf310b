import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Outbox row: "delete every run of this account". Written in the same transaction that deletes the
 * account, so the request survives a crash or an outage of `runs`, and is retried until `runs`
 * acknowledges it.
 */
@Entity({ name: 'run_purge_requests' })
export class RunPurgeRequest {
  @PrimaryColumn({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @CreateDateColumn({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'varchar', length: 200, nullable: true })
  lastError!: string | null;

  /** The request that deleted the account: the purge carries it, so one id ties both in the logs. */
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;
}
