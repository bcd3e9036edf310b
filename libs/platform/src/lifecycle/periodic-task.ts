import { Logger } from '@nestjs/common';

/** The log event of a failed pass: alert on it, search by `task`. */
export const BACKGROUND_TASK_FAILED = 'background.task.failed';

export const PERIODIC_TASK_DEFAULTS = {
  /** Longest wait between passes while a task keeps failing. */
  maxBackoffMs: 60_000,
} as const;

export interface PeriodicTaskOptions {
  /** Names the task in its log lines. */
  name: string;
  /** Wait between two passes while they succeed. */
  intervalMs: number;
  /** One pass of the work. It may throw: the task logs the error and backs off. */
  run: () => Promise<void>;
  maxBackoffMs?: number;
}

/**
 * Runs background work (a poll, an outbox, a fire-and-forget follow-up) so that it can never take its
 * process down: a bare `setInterval(() => void work())` turns the first rejected promise (the database
 * is unreachable) into an unhandled rejection, and Node exits. Here every error is caught and logged
 * (`background.task.failed`, through the service logger and so its error allowlist); while passes keep
 * failing the wait doubles up to `maxBackoffMs`, and the first success resets it; a pass never overlaps
 * the previous one; `stop()` waits for the pass that is running.
 */
export class PeriodicTask {
  private readonly logger = new Logger('Background');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private failures = 0;
  private started = false;

  constructor(private readonly options: PeriodicTaskOptions) {}

  /** Schedules the first pass one interval from now, and each next one after the previous ends. */
  start(): void {
    this.started = true;
    this.schedule();
  }

  /** Runs a pass now, or joins the one that is running. Never rejects. */
  runNow(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
      this.schedule();
    });
    return this.running;
  }

  /** Fire and forget: a pass now, for a caller that must not wait (its errors are handled by the task). */
  trigger(): void {
    // The one deliberate floating promise of the code base: runNow() never rejects.
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- runNow() catches every error
    void this.runNow();
  }

  /** No more passes; resolves once the running one (if any) has ended. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The wait before the next pass: the interval, doubled for each failure in a row, capped. */
  get nextDelayMs(): number {
    const cap = this.options.maxBackoffMs ?? PERIODIC_TASK_DEFAULTS.maxBackoffMs;
    if (this.failures === 0) return this.options.intervalMs;
    return Math.min(this.options.intervalMs * 2 ** this.failures, Math.max(cap, this.options.intervalMs));
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.started || this.running) return;
    this.timer = setTimeout(() => this.trigger(), this.nextDelayMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    try {
      await this.options.run();
      this.failures = 0;
    } catch (error) {
      this.failures++;
      this.logger.error(
        {
          event: BACKGROUND_TASK_FAILED,
          task: this.options.name,
          failures: this.failures,
          retryInMs: this.nextDelayMs,
          err: error,
        },
        `Background task ${this.options.name} failed; retrying with backoff`,
      );
    }
  }
}
