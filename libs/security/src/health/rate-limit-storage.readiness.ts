import { Inject, Injectable } from '@nestjs/common';
import { RATE_LIMIT_STORAGE } from '../throttling/rate-limit.module';
import { RedisThrottlerStorage } from '../throttling/redis-throttler.storage';
import { type ReadinessCheck } from './readiness-check';

/**
 * With REDIS_URL set, a service is ready only while Redis answers: its rate-limited routes fail closed
 * (503) without it, so an orchestrator should send its traffic elsewhere. Without Redis: always ready.
 */
@Injectable()
export class RateLimitStorageReadiness implements ReadinessCheck {
  readonly name = 'rate-limit-storage';

  constructor(@Inject(RATE_LIMIT_STORAGE) private readonly storage: unknown) {}

  async isReady(): Promise<boolean> {
    return this.storage instanceof RedisThrottlerStorage ? this.storage.isReachable() : true;
  }
}
