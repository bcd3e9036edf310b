import { Inject, Injectable, Optional } from '@nestjs/common';
import { SecurityRedis } from '@runnerly/security';
import { type ReadinessCheck } from './readiness-check';

/**
 * With REDIS_URL set, a service is ready only while Redis answers: its rate-limited routes fail closed
 * (503) without it, so an orchestrator should send its traffic elsewhere. Without Redis: always ready.
 */
@Injectable()
export class RateLimitStorageReadiness implements ReadinessCheck {
  readonly name = 'rate-limit-storage';

  constructor(@Optional() @Inject(SecurityRedis) private readonly redis: SecurityRedis | null) {}

  async isReady(): Promise<boolean> {
    return this.redis ? this.redis.isReachable() : true;
  }
}
