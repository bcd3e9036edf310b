import { Injectable } from '@nestjs/common';
import { forgetIdempotencyKeysOf } from '@runnerly/database';
import { AuditEvent, AuditLog, OwnerScope, type ServicePrincipal } from '@runnerly/security';
import { ErasedAccounts } from '../erasure/erased-accounts.service';
import { OwnedRuns } from '../runs/owned-runs.repository';

/** Deletes every run of a user whose account was deleted in `users` (the right to erasure). */
@Injectable()
export class RunPurge {
  constructor(
    private readonly runs: OwnedRuns,
    private readonly erasedAccounts: ErasedAccounts,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Idempotent: purging a user without runs (or twice) succeeds and deletes nothing. The account is
   * marked erased in the same transaction, so its still-valid access tokens cannot add runs afterwards.
   */
  async purgeRunsOf(userId: string, caller: ServicePrincipal): Promise<number> {
    const count = await this.erasedAccounts.erase(userId, async (db) => {
      // The stored answers of its keyed writes are copies of its runs: they go too.
      await forgetIdempotencyKeysOf(db, userId);
      return this.runs.within(db).deleteAllOf(OwnerScope.ofOwner(userId));
    });
    this.audit.record(AuditEvent.RunsPurged, { targetId: userId, clientId: caller.clientId, runs: count });
    return count;
  }
}
