import { Controller, Get, HttpStatus, Inject, Logger, Res } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { Public, SkipRateLimit } from '@runnerly/security';
import { type ReadinessCheck } from './readiness-check';

export const READINESS_CHECKS = Symbol('runnerly:readiness-checks');
export const READINESS_CACHE_MS = Symbol('runnerly:readiness-cache-ms');
const CHECK_TIMEOUT_MS = 2_000;

export interface HealthStatus {
  status: 'ok' | 'unavailable';
}

/**
 * Liveness and readiness for orchestrators. Public and unthrottled, so they answer with a status only:
 * which dependency failed goes to the log, not to whoever asks (no versions, hosts or errors leaked).
 * Readiness fans out to databases, Redis and other services, so its result is shared by every probe
 * for a short while: a flood of anonymous probes costs the dependencies one check per interval, instead
 * of one per probe (an amplification attack on them through an unthrottled route).
 */
@Public()
@SkipRateLimit()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  private latest?: { ready: boolean; at: number };
  private inFlight?: Promise<boolean>;

  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[],
    @Inject(READINESS_CACHE_MS) private readonly cacheMs: number,
  ) {}

  @Get('live')
  live(): HealthStatus {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthStatus> {
    if (await this.readiness()) return { status: 'ok' };
    void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'unavailable' };
  }

  /** The latest result while it is fresh; otherwise one run of the checks, shared by concurrent probes. */
  private readiness(): Promise<boolean> {
    if (this.latest && Date.now() - this.latest.at < this.cacheMs) return Promise.resolve(this.latest.ready);
    this.inFlight ??= Promise.all(this.checks.map((check) => this.run(check)))
      .then((results) => {
        this.latest = { ready: results.every(Boolean), at: Date.now() };
        return this.latest.ready;
      })
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
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
