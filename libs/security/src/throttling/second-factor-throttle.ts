import { Inject, Injectable } from '@nestjs/common';
import { RateLimitedException } from '../errors/app.exception';
import { AuditEvent, AuditLog } from '../logging/audit-log.service';
import { FAILURE_COUNTERS, type FailureCounters } from './failure-counters';

/** Wrong second-factor codes allowed per account, from all clients together, per window. */
export const SECOND_FACTOR_FAILURES = { limit: 10, windowMs: 15 * 60_000 } as const;

/**
 * Caps the guesses at one account's second factor. A six-digit code accepted with one step of drift each
 * way is one of three right answers in a million: only a hard cap per account, whatever the number of
 * clients, keeps a botnet that already has the password from trying them all (per-client limits alone do
 * not: each address of a botnet gets its own). Past the cap every code for the account is refused with 429
 * until the window ends, the owner's too: a lockout of the second step only, which says the password is
 * known to someone else (it is audited, for an alert). A right code gives its reservation back.
 */
@Injectable()
export class SecondFactorThrottle {
  constructor(
    @Inject(FAILURE_COUNTERS) private readonly counters: FailureCounters,
    private readonly audit: AuditLog,
  ) {}

  /** Runs `check` (a code comparison resolving to what it verified, or null) for `accountId`, within the cap. */
  async verify<T>(accountId: string, check: () => Promise<T | null>): Promise<T | null> {
    const key = `second-factor:${accountId}`;
    const reservation = await this.counters.reserve(
      key,
      SECOND_FACTOR_FAILURES.limit,
      SECOND_FACTOR_FAILURES.windowMs,
    );
    if (!reservation.reserved) {
      this.audit.record(AuditEvent.RateLimited, {
        userId: accountId,
        reason: `${SECOND_FACTOR_FAILURES.limit} wrong second-factor codes for this account`,
      });
      throw new RateLimitedException(Math.ceil(reservation.resetsInMs / 1000));
    }
    let verified: T | null;
    try {
      verified = await check();
    } catch (error) {
      await this.counters.release(key);
      throw error;
    }
    if (verified !== null) await this.counters.release(key);
    return verified;
  }
}
