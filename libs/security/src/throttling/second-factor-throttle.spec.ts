import { HttpStatus } from '@nestjs/common';
import { type AuditLog } from '../logging/audit-log.service';
import { MemoryFailureCounters } from './failure-counters';
import { SECOND_FACTOR_FAILURES, SecondFactorThrottle } from './second-factor-throttle';

describe('SecondFactorThrottle', () => {
  const audit = { record: jest.fn() };
  let throttle: SecondFactorThrottle;
  const wrong = () => Promise.resolve(null);
  const right = () => Promise.resolve('verified');

  beforeEach(() => {
    audit.record.mockClear();
    throttle = new SecondFactorThrottle(new MemoryFailureCounters(), audit as unknown as AuditLog);
  });

  it(`refuses every code for the account with 429 after ${SECOND_FACTOR_FAILURES.limit} wrong ones, the right one too, audited`, async () => {
    for (let attempt = 0; attempt < SECOND_FACTOR_FAILURES.limit; attempt++) {
      expect(await throttle.verify('account-1', wrong)).toBeNull();
    }
    const check = jest.fn(right);
    await expect(throttle.verify('account-1', check)).rejects.toMatchObject({
      status: HttpStatus.TOO_MANY_REQUESTS,
    });
    expect(check).not.toHaveBeenCalled();
    expect(audit.record).toHaveBeenCalledWith('ratelimit.exceeded', {
      userId: 'account-1',
      reason: `${SECOND_FACTOR_FAILURES.limit} wrong second-factor codes for this account`,
    });
  });

  it('counts each account apart', async () => {
    for (let attempt = 0; attempt < SECOND_FACTOR_FAILURES.limit; attempt++)
      await throttle.verify('account-1', wrong);
    expect(await throttle.verify('account-2', right)).toBe('verified');
  });

  it('does not count a right code, nor a check that failed to run', async () => {
    for (let attempt = 0; attempt < SECOND_FACTOR_FAILURES.limit - 1; attempt++)
      await throttle.verify('account-1', wrong);
    expect(await throttle.verify('account-1', right)).toBe('verified');
    await expect(
      throttle.verify('account-1', () => Promise.reject(new Error('database down'))),
    ).rejects.toThrow();
    expect(await throttle.verify('account-1', wrong)).toBeNull();
  });
});
