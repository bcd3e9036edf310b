import { type AuditLog } from '../logging/audit-log.service';
import { RateLimitedException } from '../errors/app.exception';
import { CredentialThrottle } from './credential-throttle';
import { MemoryFailureCounters } from './failure-counters';
import { DEFAULT_RATE_LIMITS, type RateLimitOptions } from './rate-limit.options';

const SLOWDOWN_MS = 300;
const OPTIONS: RateLimitOptions = {
  ...DEFAULT_RATE_LIMITS,
  failedCredentials: {
    perAccountAndClient: { limit: 3, windowMs: 60_000 },
    perAccount: { limit: 5, windowMs: 60_000, slowdownMs: SLOWDOWN_MS },
  },
};
type Check = () => Promise<{ id: string } | null>;
const RIGHT: Check = async () => ({ id: 'ann' });
const WRONG: Check = async () => null;

describe('CredentialThrottle', () => {
  let counters: MemoryFailureCounters;
  let audit: { record: jest.Mock };
  let throttle: CredentialThrottle;
  let checks: number;
  const counted = (check: Check) => () => {
    checks++;
    return check();
  };

  beforeEach(() => {
    counters = new MemoryFailureCounters();
    audit = { record: jest.fn() };
    throttle = new CredentialThrottle(counters, OPTIONS, audit as unknown as AuditLog);
    checks = 0;
  });

  const attempt = (account: string, client: string, check: Check = WRONG) =>
    throttle.authenticate(account, client, counted(check));
  const fail = async (times: number, account: string, client: string) => {
    for (let i = 0; i < times; i++) await attempt(account, client);
  };

  it('returns what the check authenticated, and null for wrong credentials', async () => {
    expect(await attempt('ann@example.com', '192.0.2.1', RIGHT)).toEqual({ id: 'ann' });
    expect(await attempt('ann@example.com', '192.0.2.1', WRONG)).toBeNull();
  });

  it('refuses a client with 429 after its failures on one account, without checking, even the right password (no oracle)', async () => {
    await fail(3, 'ann@example.com', '192.0.2.1');
    const refused = await attempt('ann@example.com', '192.0.2.1', RIGHT).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(RateLimitedException);
    expect((refused as RateLimitedException).retryAfterSeconds).toBeGreaterThan(50);
    expect(checks).toBe(3);
    expect(audit.record).toHaveBeenCalledWith(
      'ratelimit.exceeded',
      expect.objectContaining({ client: '192.0.2.1' }),
    );
  });

  it("lets the account's owner in from another client while a guesser is blocked: nobody can lock anyone out", async () => {
    await fail(3, 'ann@example.com', '203.0.113.66');
    expect(await attempt('ann@example.com', '192.0.2.1', RIGHT)).toEqual({ id: 'ann' });
  });

  it('lets a blocked client try other accounts (the per-client request limit is what stops stuffing)', async () => {
    await fail(3, 'ann@example.com', '192.0.2.1');
    expect(await attempt('bob@example.com', '192.0.2.1', RIGHT)).toEqual({ id: 'ann' });
  });

  it("forgets a client's failures on an account once it gets the password right", async () => {
    await fail(2, 'ann@example.com', '192.0.2.1');
    await attempt('ann@example.com', '192.0.2.1', RIGHT);
    await fail(2, 'ann@example.com', '192.0.2.1');
    expect(await attempt('ann@example.com', '192.0.2.1', RIGHT)).toEqual({ id: 'ann' });
  });

  it('runs at most the per-client limit of checks however many attempts arrive at once', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => attempt('ann@example.com', '192.0.2.1')),
    );
    expect(checks).toBe(3);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(17);
  });

  it('slows every attempt on an account guessed from many clients, and still lets the right password in', async () => {
    for (let client = 1; client <= 5; client++) await fail(1, 'ann@example.com', `198.51.100.${client}`);
    expect(audit.record).toHaveBeenCalledWith(
      'ratelimit.exceeded',
      expect.objectContaining({ reason: expect.stringContaining('slowing down') }),
    );

    const started = Date.now();
    expect(await attempt('ann@example.com', '192.0.2.1', RIGHT)).toEqual({ id: 'ann' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOWDOWN_MS - 10);
  });

  it('does not slow down an account that has not been guessed', async () => {
    const started = Date.now();
    await attempt('carol@example.com', '192.0.2.1', RIGHT);
    expect(Date.now() - started).toBeLessThan(SLOWDOWN_MS);
  });

  it('gives the attempt back when the check fails for another reason (an outage is not a guess)', async () => {
    const outage: Check = async () => {
      throw new Error('database down');
    };
    for (let i = 0; i < 5; i++)
      await expect(attempt('ann@example.com', '192.0.2.1', outage)).rejects.toThrow();
    expect(await attempt('ann@example.com', '192.0.2.1', RIGHT)).toEqual({ id: 'ann' });
  });

  it('counts the addresses of one IPv6 /64 as one client', async () => {
    await attempt('ann@example.com', '2001:db8:1:1::a');
    await attempt('ann@example.com', '2001:db8:1:1::b');
    await attempt('ann@example.com', '2001:db8:1:1::c');
    await expect(attempt('ann@example.com', '2001:db8:1:1::d', RIGHT)).rejects.toBeInstanceOf(
      RateLimitedException,
    );
  });

  it('treats differently written forms of one email as one account', async () => {
    await fail(3, 'ann@example.com', '192.0.2.1');
    await expect(attempt(' ANN@Example.com', '192.0.2.1', RIGHT)).rejects.toBeInstanceOf(
      RateLimitedException,
    );
  });
});
