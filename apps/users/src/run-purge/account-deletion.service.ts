import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppException, AuditEvent, AuditLog, ErrorCode } from '@runnerly/security';
import { DataSource, IsNull } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { RefreshTokenRotation } from '../sessions/refresh-token-rotation.service';
import { Session } from '../sessions/session.entity';
import { RunPurgeRequest } from './run-purge-request.entity';
import { RunPurgeDispatcher } from './run-purge.dispatcher';

/**
 * Deletes an account and, in the same transaction, queues the purge of its runs in the outbox. The
 * account's sessions and refresh tokens go with it (ON DELETE CASCADE), and the sessions are published
 * as revoked (before the commit, so a failure to publish leaves the account in place to retry), so their
 * access tokens stop working in every service. The purge is then attempted at
 * once; if `runs` is down, the dispatcher retries until it succeeds.
 */
@Injectable()
export class AccountDeletion {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dispatcher: RunPurgeDispatcher,
    private readonly sessions: RefreshTokenRotation,
    private readonly audit: AuditLog,
  ) {}

  async deleteAccount(accountId: string, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (db) => {
      const live = await db.find(Session, {
        select: { id: true },
        where: { accountId, revokedAt: IsNull() },
      });
      const { affected } = await db.delete(Account, { id: accountId });
      if (!affected) throw new AppException(ErrorCode.NotFound, 'Account not found.');
      await db.upsert(
        RunPurgeRequest,
        { accountId, attempts: 0, nextAttemptAt: new Date(), lastError: null, requestId: requestId ?? null },
        ['accountId'],
      );
      // Before the commit: if publishing fails, the account stays and the client can retry.
      await this.sessions.publishRevoked(live.map((session) => session.id));
    });
    this.audit.record(AuditEvent.AccountDeleted, { userId: accountId });
    this.dispatcher.dispatchSoon();
  }
}
