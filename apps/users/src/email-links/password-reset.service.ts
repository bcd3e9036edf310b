import { Injectable } from '@nestjs/common';
import {
  AppException,
  AuditEvent,
  AuditLog,
  ErrorCode,
  PasswordHasher,
  passwordProblems,
} from '@runnerly/security';
import { DataSource } from 'typeorm';
import { RefreshTokenRotation } from '../sessions/refresh-token-rotation.service';
import { EmailLinkDispatcher } from './email-link-dispatcher';
import { EmailLinkTokens, invalidEmailLink } from './email-link-tokens';
import { markVerified } from './email-verification.service';

/**
 * "Forgot your password": a link mailed to the account's address, which works once, for 30 minutes, and sets
 * a new password. Asking answers the same for any address (queued alike, see EmailLinkDispatcher), so the
 * route reveals no account. Using the link ends every session of the account (whoever knew the old password is
 * logged out) and verifies the address; two-factor stays on, so a login after a reset still needs the code.
 */
@Injectable()
export class PasswordReset {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatcher: EmailLinkDispatcher,
    private readonly tokens: EmailLinkTokens,
    private readonly hasher: PasswordHasher,
    private readonly sessions: RefreshTokenRotation,
    private readonly audit: AuditLog,
  ) {}

  request(email: string, requestId?: string): Promise<void> {
    return this.dispatcher.queue('reset-password', email, requestId);
  }

  /**
   * Checks the new password against the account's address first (a refused password leaves the link working),
   * then spends the token and sets the hash in one transaction, and ends every session.
   */
  async complete(token: string, newPassword: string): Promise<void> {
    const live = await this.tokens.peek(token, 'reset-password');
    if (!live) throw invalidEmailLink(this.audit, 'reset-password');
    const problems = passwordProblems(newPassword, live.email);
    if (problems.length > 0) {
      throw new AppException(ErrorCode.ValidationFailed, 'The request is invalid.', [
        { field: 'password', problems },
      ]);
    }
    const passwordHash = await this.hasher.hash(newPassword);
    const claim = await this.dataSource.transaction(async (db) => {
      const redeemed = await this.tokens.redeem(db, token, 'reset-password');
      if (!redeemed) return undefined;
      await db.query(`UPDATE accounts SET password_hash = $2, updated_at = now() WHERE id = $1`, [
        redeemed.accountId,
        passwordHash,
      ]);
      await markVerified(db, redeemed.accountId, redeemed.email);
      return redeemed;
    });
    // Spent by a concurrent request between the check and here.
    if (!claim) throw invalidEmailLink(this.audit, 'reset-password');
    const ended = await this.sessions.endAllSessions(claim.accountId, 'password-reset');
    this.audit.record(AuditEvent.PasswordResetCompleted, { userId: claim.accountId, sessionsEnded: ended });
  }
}
