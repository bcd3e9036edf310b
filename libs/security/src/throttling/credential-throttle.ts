import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { RateLimitedException } from '../errors/app.exception';
import { accountFingerprint } from '../logging/account-fingerprint';
import { AuditEvent, AuditLog } from '../logging/audit-log.service';
import { FAILURE_COUNTERS, type FailureCounters } from './failure-counters';
import { type RateLimitOptions } from './rate-limit.options';

export const RATE_LIMIT_OPTIONS = Symbol('runnerly:rate-limit-options');

/**
 * Slows password guessing down without letting anyone lock an account (OWASP Authentication Cheat Sheet,
 * "prefer throttling to lockout"). Only failed checks count: a sign-up or a request refused by validation
 * costs the account nothing. Limits (see `FailedCredentialLimits`):
 * - per account and client, strict: past it, that client gets 429 for that account, even for the right
 *   password, so a blocked guesser learns nothing (no oracle while limited);
 * - per account, loose: past it, every attempt on the account waits a little first, and is still checked,
 *   so a botnet guessing from many addresses slows down while the owner, from anywhere, still gets in.
 * Counters are kept per account fingerprint, never the account name itself.
 */
@Injectable()
export class CredentialThrottle {
  constructor(
    @Inject(FAILURE_COUNTERS) private readonly counters: FailureCounters,
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: RateLimitOptions,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Runs `check` (a password or secret comparison that resolves to what it authenticated, or null when
   * the credentials are wrong) for `account` as presented by the client at `clientIp`, within the
   * limits. Throws 429 without running it when this client used up its failures on this account.
   */
  async authenticate<T>(
    account: string,
    clientIp: string,
    check: () => Promise<T | null>,
  ): Promise<T | null> {
    const { perAccountAndClient, perAccount } = this.options.failedCredentials;
    const fingerprint = accountFingerprint(account);
    const client = normalizeIp(clientIp, this.options.ipv6PrefixLength);
    const pairKey = `pair:${fingerprint}:${client}`;
    const accountKey = `account:${fingerprint}`;

    // The attempt is counted before the check (atomically), so concurrent guesses cannot all slip in
    // under the limit; a check that turns out right or never runs gives it back.
    const pair = await this.counters.reserve(
      pairKey,
      perAccountAndClient.limit,
      perAccountAndClient.windowMs,
    );
    if (!pair.reserved) {
      this.audit.record(AuditEvent.RateLimited, {
        account: fingerprint,
        client,
        reason: `${perAccountAndClient.limit} failed credential checks for this account from this client`,
      });
      throw new RateLimitedException(Math.ceil(pair.resetsInMs / 1000));
    }

    let authenticated: T | null;
    try {
      const [accountFailures] = await this.counters.read([accountKey]);
      if (accountFailures!.failures >= perAccount.limit) await sleep(perAccount.slowdownMs);
      authenticated = await check();
    } catch (error) {
      await this.counters.release(pairKey);
      throw error;
    }

    if (authenticated !== null) {
      await this.counters.clear(pairKey);
      return authenticated;
    }
    const { failures } = await this.counters.add(accountKey, perAccount.windowMs);
    if (failures === perAccount.limit) {
      this.audit.record(AuditEvent.RateLimited, {
        account: fingerprint,
        reason: `${perAccount.limit} failed credential checks for this account: slowing down every attempt`,
      });
    }
    return null;
  }
}
