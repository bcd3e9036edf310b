import { Inject, Injectable } from '@nestjs/common';
import { RATE_LIMIT_STORAGE, type ReadinessCheck, RedisThrottlerStorage } from '@runnerly/security';

/** With REDIS_URL set, the gateway is ready only while Redis answers (its limited routes need it). */
@Injectable()
export class RateLimitStorageReadiness implements ReadinessCheck {
  readonly name = 'rate-limit-storage';

  constructor(@Inject(RATE_LIMIT_STORAGE) private readonly storage: unknown) {}

  async isReady(): Promise<boolean> {
    return this.storage instanceof RedisThrottlerStorage ? this.storage.isReachable() : true;
  }
}
