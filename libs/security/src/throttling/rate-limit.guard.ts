import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { type FastifyReply } from 'fastify';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * Nest's ThrottlerGuard with two changes: the 429 always carries a standard `Retry-After` header
 * (RFC 9110 §10.2.3; the stock guard names it `Retry-After-<throttler>` for named throttlers) and uses
 * the common error shape.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    void reply.header('Retry-After', String(Math.max(1, detail.timeToBlockExpire)));
    throw new AppException(ErrorCode.RateLimited, 'Too many requests. Retry later.');
  }
}
