import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppException, AuditEvent, AuditLog, ErrorCode } from '@runnerly/security';
import { DataSource } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { RunPurgeRequest } from './run-purge-request.entity';
import { RunPurgeDispatcher } from './run-purge.dispatcher';

/**
 * Deletes an account and, in the same transaction, queues the purge of its runs in the outbox. The
 * account's sessions and refresh tokens go with it (ON DELETE CASCADE). The purge is then attempted at
 * once; if `runs` is down, the dispatcher retries until it succeeds.
 */
@Injectable()
export class AccountDeletion {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dispatcher: RunPurgeDispatcher,
    private readonly audit: AuditLog,
  ) {}

  async deleteAccount(accountId: string, requestId?: string): Promise<void> {
    await this.dataSource.transaction(async (db) => {
      const { affected } = await db.delete(Account, { id: accountId });
      if (!affected) throw new AppException(ErrorCode.NotFound, 'Account not found.');
      await db.upsert(
        RunPurgeRequest,
        { accountId, attempts: 0, nextAttemptAt: new Date(), lastError: null, requestId: requestId ?? null },
        ['accountId'],
      );
    });
    this.audit.record(AuditEvent.AccountDeleted, { userId: accountId });
    void this.dispatcher.dispatchDue();
  }
}
