import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A tombstone: this account was deleted in `users` and its runs were purged. Its access tokens stay
 * valid for up to 15 minutes after the deletion, so without this they could still create runs that no
 * purge would ever remove.
 */
@Entity({ name: 'erased_accounts' })
export class ErasedAccount {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @CreateDateColumn({ name: 'erased_at', type: 'timestamptz' })
  erasedAt!: Date;
}
