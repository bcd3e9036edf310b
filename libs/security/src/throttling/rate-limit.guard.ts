import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { RateLimitedException } from '../errors/app.exception';
import { AuditEvent, AuditLog } from '../logging/audit-log.service';

/**
 * Nest's ThrottlerGuard with three changes: the 429 always carries a standard `Retry-After` header
 * (RFC 9110 §10.2.3; the stock guard sends only `Retry-After-<throttler>` for named throttlers, which it still
 * adds, with its `X-RateLimit-*-<throttler>` headers), uses the common error shape, and is audited (a burst of
 * them is what a brute-force attempt looks like).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly audit: AuditLog,
  ) {
    super(options, storage, reflector);
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    // The tracker is the client's address (an IPv6 client's network): safe to log.
    this.audit.record(AuditEvent.RateLimited, {
      reason: `limit of ${detail.limit} per ${Math.round(detail.ttl / 1000)} s`,
      client: detail.tracker,
    });
    throw new RateLimitedException(detail.timeToBlockExpire);
  }
}
