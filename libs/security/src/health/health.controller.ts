import { Controller, Get, HttpStatus, Inject, Logger, Res } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { SkipRateLimit } from '../throttling/throttling.constants';
import { type ReadinessCheck } from './readiness-check';

export const READINESS_CHECKS = Symbol('runnerly:readiness-checks');
const CHECK_TIMEOUT_MS = 2_000;

export interface HealthStatus {
  status: 'ok' | 'unavailable';
}

/**
 * Liveness and readiness for orchestrators. Public and unthrottled, so they answer with a status only:
 * which dependency failed goes to the log, not to whoever asks (no versions, hosts or errors leaked).
 */
@Public()
@SkipRateLimit()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(@Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[]) {}

  @Get('live')
  live(): HealthStatus {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthStatus> {
    const results = await Promise.all(this.checks.map((check) => this.run(check)));
    if (results.every(Boolean)) return { status: 'ok' };
    void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'unavailable' };
  }

  private async run(check: ReadinessCheck): Promise<boolean> {
    const timeout = new Promise<false>((resolve) => setTimeout(resolve, CHECK_TIMEOUT_MS, false).unref());
    // Called inside a promise chain, so a check that throws instead of rejecting also counts as not ready.
    const ready = await Promise.race([
      Promise.resolve()
        .then(() => check.isReady())
        .catch(() => false),
      timeout,
    ]);
    if (!ready) this.logger.warn({ check: check.name }, 'Readiness check failed');
    return ready;
  }
}
