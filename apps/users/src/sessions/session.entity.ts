import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { MAX_CLIENT_DESCRIPTION_LENGTH } from './client-description';

export type SessionRevocationReason =
  | 'logout'
  | 'logout-everywhere'
  | 'ended-by-owner'
  | 'ended-by-admin'
  | 'refresh-token-reuse'
  | 'password-change'
  | 'password-reset'
  | 'role-change';

/**
 * One login: the family of refresh tokens that rotation derives from it. Revoking the session revokes
 * every token of the family at once.
 */
@Entity({ name: 'sessions' })
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The client's own User-Agent at login, sanitized and bounded (describeClient): a hint, not proof. */
  @Column({
    name: 'client_description',
    type: 'varchar',
    length: MAX_CLIENT_DESCRIPTION_LENGTH,
    nullable: true,
  })
  clientDescription!: string | null;

  /** The login, or the last reauthentication: the access tokens' `auth_time`, which step-up checks. */
  @Column({ name: 'authenticated_at', type: 'timestamptz' })
  authenticatedAt!: Date;

  /** Whether a second factor was entered in this session (at login or a reauthentication): the tokens' `amr`. */
  @Column({ name: 'second_factor', type: 'boolean', default: false })
  secondFactor!: boolean;

  /** The absolute end of the session, fixed at login. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: SessionRevocationReason | null;
}
