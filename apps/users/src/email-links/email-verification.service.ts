import { Injectable } from '@nestjs/common';
import { AuditEvent, AuditLog } from '@runnerly/security';
import { DataSource, type EntityManager } from 'typeorm';
import { EmailLinkDispatcher } from './email-link-dispatcher';
import { EmailLinkTokens, invalidEmailLink } from './email-link-tokens';

/**
 * Email verification: a link mailed at sign-up (and on request) proves that the account's owner reads mail at
 * its address. Nothing in Runnerly is refused to an unverified account yet; what is verified is shown
 * (`emailVerified`), for the features that will rely on it (linking a sign-in from another provider by email).
 */
@Injectable()
export class EmailVerification {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatcher: EmailLinkDispatcher,
    private readonly tokens: EmailLinkTokens,
    private readonly audit: AuditLog,
  ) {}

  /** Queues a verification link for this address; mailed only if an unverified account has it. */
  request(email: string, requestId?: string): Promise<void> {
    return this.dispatcher.queue('verify-email', email, requestId);
  }

  /** Spends the link's token and marks the address verified, if the account still has that address. */
  async complete(token: string): Promise<void> {
    const claim = await this.dataSource.transaction(async (db) => {
      const redeemed = await this.tokens.redeem(db, token, 'verify-email');
      if (redeemed) await markVerified(db, redeemed.accountId, redeemed.email);
      return redeemed;
    });
    if (!claim) throw invalidEmailLink(this.audit, 'verify-email');
    this.audit.record(AuditEvent.EmailVerified, { userId: claim.accountId });
  }
}

/** Records that the account's owner read mail at `email`, unless the account's address changed since. */
export async function markVerified(db: EntityManager, accountId: string, email: string): Promise<void> {
  await db.query(
    `UPDATE accounts SET email_verified_at = now() WHERE id = $1 AND email = $2 AND email_verified_at IS NULL`,
    [accountId, email],
  );
}
