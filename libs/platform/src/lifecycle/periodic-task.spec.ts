import { Logger } from '@nestjs/common';
import { BACKGROUND_TASK_FAILED, PeriodicTask } from './periodic-task';

const INTERVAL = 100;

let logged: unknown[][];
let task: PeriodicTask | undefined;

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  logged = [];
  jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
});

afterEach(async () => {
  await task?.stop();
  task = undefined;
  jest.useRealTimers();
  jest.restoreAllMocks();
});

/** A task whose passes fail while `outcomes` says so, counting its passes. */
function taskWith(outcomes: boolean[], maxBackoffMs = 1_000): { task: PeriodicTask; passes: () => number } {
  let passes = 0;
  const created = new PeriodicTask({
    name: 'test-task',
    intervalMs: INTERVAL,
    maxBackoffMs,
    run: async () => {
      const succeeds = outcomes[passes++] ?? true;
      if (!succeeds) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    },
  });
  task = created;
  return { task: created, passes: () => passes };
}

describe('PeriodicTask', () => {
  it('catches a failing pass and logs it with its stable event name, the task name and the error', async () => {
    const { task } = taskWith([false]);

    await expect(task.runNow()).resolves.toBeUndefined();

    expect(logged).toHaveLength(1);
    expect(logged[0]![0]).toMatchObject({
      event: BACKGROUND_TASK_FAILED,
      task: 'test-task',
      failures: 1,
      err: expect.objectContaining({ message: 'connect ECONNREFUSED 127.0.0.1:5432' }),
    });
  });

  it('runs a pass every interval while the passes succeed', async () => {
    const { task, passes } = taskWith([]);
    task.start();

    await jest.advanceTimersByTimeAsync(INTERVAL * 3);

    expect(passes()).toBe(3);
    expect(logged).toEqual([]);
  });

  it.each([
    [[false], INTERVAL * 2],
    [[false, false], INTERVAL * 4],
    [[false, false, false], INTERVAL * 8],
    [[false, false, false, false, false, false], 1_000],
    [[false, false, true], INTERVAL],
  ])(
    'after the outcomes %j waits %i ms before the next pass (doubling, capped, reset by a success)',
    async (outcomes, wait) => {
      const { task } = taskWith(outcomes);
      for (const _ of outcomes) await task.runNow();

      expect(task.nextDelayMs).toBe(wait);
    },
  );

  it('backs off on the timer too: after a failure the next pass comes two intervals later', async () => {
    const { task, passes } = taskWith([false]);
    task.start();

    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(passes()).toBe(1);
    await jest.advanceTimersByTimeAsync(INTERVAL * 2 - 1);
    expect(passes()).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(passes()).toBe(2);
  });

  it('never overlaps itself: a pass requested while one runs joins it', async () => {
    let release!: () => void;
    let passes = 0;
    task = new PeriodicTask({
      name: 'slow',
      intervalMs: INTERVAL,
      run: () => {
        passes++;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    task.start();
    await jest.advanceTimersByTimeAsync(INTERVAL);
    const joined = task.runNow();
    task.trigger();
    await jest.advanceTimersByTimeAsync(INTERVAL * 5);

    expect(passes).toBe(1);
    release();
    await joined;
    expect(passes).toBe(1);
  });

  it('stop() waits for the running pass and then runs no more', async () => {
    let finished = false;
    let passes = 0;
    task = new PeriodicTask({
      name: 'draining',
      intervalMs: INTERVAL,
      run: async () => {
        passes++;
        await new Promise((resolve) => setImmediate(resolve));
        finished = true;
      },
    });
    task.start();
    await jest.advanceTimersByTimeAsync(INTERVAL);

    await task.stop();
    expect(finished).toBe(true);
    await jest.advanceTimersByTimeAsync(INTERVAL * 10);
    expect(passes).toBe(1);
  });
});
