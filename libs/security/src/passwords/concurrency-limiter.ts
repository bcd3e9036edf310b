import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * Runs at most `maxRunning` tasks at once and queues at most `maxQueued` more; beyond that it refuses
 * (503) instead of piling up work. Password hashing is deliberately expensive, so without this a burst
 * of logins could exhaust CPU and memory (OWASP API4).
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly maxRunning: number,
    private readonly maxQueued: number,
  ) {
    if (maxRunning < 1 || maxQueued < 0)
      throw new Error('ConcurrencyLimiter needs maxRunning >= 1 and maxQueued >= 0');
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.maxRunning) {
      this.running++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new AppException(ErrorCode.ServiceBusy, 'The service is busy. Retry later.'));
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }
}
