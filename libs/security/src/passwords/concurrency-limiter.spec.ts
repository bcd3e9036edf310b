import { AppException } from '../errors/app.exception';
import { ConcurrencyLimiter } from './concurrency-limiter';

const settle = () => new Promise(setImmediate);

/** A task the test finishes by hand, reporting how many tasks were running at its peak. */
class Tasks {
  running = 0;
  peak = 0;
  private readonly finishers: (() => void)[] = [];

  task = (): Promise<string> => {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    return new Promise((resolve) =>
      this.finishers.push(() => {
        this.running--;
        resolve('done');
      }),
    );
  };

  /** Finishes the running tasks one by one, and those that start meanwhile, until none is left. */
  async finishAll(): Promise<void> {
    await settle();
    while (this.finishers.length > 0) {
      this.finishers.shift()!();
      await settle();
    }
  }
}

describe('ConcurrencyLimiter', () => {
  it('never runs more than maxRunning tasks at once, and runs the queued ones as slots free up', async () => {
    const limiter = new ConcurrencyLimiter(2, 10);
    const tasks = new Tasks();
    const results = Array.from({ length: 7 }, () => limiter.run(tasks.task));
    await settle();
    expect(tasks.running).toBe(2);

    await tasks.finishAll();
    expect(await Promise.all(results)).toEqual(Array(7).fill('done'));
    expect(tasks.peak).toBe(2);
  });

  it('refuses with 503 SERVICE.BUSY, at once, beyond the queue', async () => {
    const limiter = new ConcurrencyLimiter(1, 2);
    const tasks = new Tasks();
    const accepted = Array.from({ length: 3 }, () => limiter.run(tasks.task));

    const refused = await limiter.run(tasks.task).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppException);
    expect(refused).toMatchObject({ code: 'SERVICE.BUSY' });
    expect((refused as AppException).getStatus()).toBe(503);

    await tasks.finishAll();
    await Promise.all(accepted);
  });

  it('frees the slot of a task that fails', async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    await expect(limiter.run(() => Promise.reject(new Error('hash failed')))).rejects.toThrow('hash failed');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('accepts new work once the queue has drained', async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    const tasks = new Tasks();
    const first = limiter.run(tasks.task);
    await tasks.finishAll();
    await first;
    await expect(limiter.run(() => Promise.resolve('again'))).resolves.toBe('again');
  });

  it.each([
    [0, 1],
    [1, -1],
  ])('refuses maxRunning=%i, maxQueued=%i', (maxRunning, maxQueued) => {
    expect(() => new ConcurrencyLimiter(maxRunning, maxQueued)).toThrow(/maxRunning >= 1 and maxQueued >= 0/);
  });
});
