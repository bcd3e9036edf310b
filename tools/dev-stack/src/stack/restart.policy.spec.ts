import { CrashCounter, DEFAULT_RESTART_POLICY } from './restart.policy';

describe('CrashCounter', () => {
  it.each([
    [1, { kind: 'restart', delayMs: 500, crashesInWindow: 1 }],
    [2, { kind: 'restart', delayMs: 1_000, crashesInWindow: 2 }],
    [3, { kind: 'restart', delayMs: 2_000, crashesInWindow: 3 }],
    [4, { kind: 'restart', delayMs: 4_000, crashesInWindow: 4 }],
    [5, { kind: 'give up', crashesInWindow: 5 }],
  ])('by default, on crash %i within a minute, decides %j', (crashes, decision) => {
    const counter = new CrashCounter(DEFAULT_RESTART_POLICY, () => 1_000);
    for (let crash = 1; crash < crashes; crash++) counter.crashed('runs');
    expect(counter.crashed('runs')).toEqual(decision);
  });

  it('caps the delay, forgets crashes older than the window, and counts each component apart', () => {
    let now = 0;
    const counter = new CrashCounter(
      { maxCrashes: 10, windowMs: 60_000, firstDelayMs: 500, maxDelayMs: 3_000 },
      () => now,
    );
    for (let crash = 0; crash < 5; crash++) counter.crashed('users');
    expect(counter.crashed('users')).toMatchObject({ delayMs: 3_000, crashesInWindow: 6 });
    expect(counter.crashed('PostgreSQL')).toMatchObject({ delayMs: 500, crashesInWindow: 1 });
    now = 60_000;
    expect(counter.crashed('users')).toMatchObject({ delayMs: 500, crashesInWindow: 1 });
  });
});
