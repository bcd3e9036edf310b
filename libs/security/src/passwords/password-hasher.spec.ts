import { readdirSync, readFileSync } from 'node:fs';
import argon2 from 'argon2';
import { AppException } from '../errors/app.exception';
import { PasswordHasher } from './password-hasher';

/** A PHC-format argon2id hash (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`, parameters in any order). */
// eslint-disable-next-line security/detect-unsafe-regex -- each repeat starts with a comma: linear time
const ARGON2ID_HASH = /^\$argon2id\$v=19\$([a-z]=\d+(?:,[a-z]=\d+)*)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const parametersOf = (hash: string) =>
  Object.fromEntries((ARGON2ID_HASH.exec(hash)?.[1] ?? '').split(',').map((entry) => entry.split('=')));
const OWASP = { m: '19456', t: '2', p: '1' };
/** The nice value of each of this process's threads with that name (proc(5): field 19 of the task's stat). */
const niceOfThreads = (name: string) =>
  readdirSync('/proc/self/task')
    .filter((task) => readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() === name)
    .map((task) => {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
/** Typed with the "ﬁ" ligature (U+FB01); NFKC makes it "fi". */
const PASSWORD = 'ﬁrst-light-run-42';

// The hashes run at nice 10 by design: on a machine busy with other work (CI runs the suites beside compose
// stacks), one may wait seconds for the CPU, which is what the threads answering requests should get first.
jest.setTimeout(30_000);

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();
  let stored: string;

  beforeAll(async () => {
    stored = await hasher.hash(PASSWORD);
  });

  it('hashes with argon2id at the OWASP parameters (m=19 MiB, t=2, p=1)', () => {
    expect(stored).toMatch(ARGON2ID_HASH);
    expect(parametersOf(stored)).toEqual(OWASP);
    expect(stored).not.toContain(PASSWORD);
  });

  it('hashes on threads that yield the CPU to the threads answering requests', () => {
    // The hash above ran on libuv's pool; the main thread (named after the jest worker or node) keeps its nice.
    expect(niceOfThreads('libuv-worker').length).toBeGreaterThan(0);
    expect(new Set(niceOfThreads('libuv-worker'))).toEqual(new Set([10]));
    expect(niceOfThreads(readFileSync('/proc/self/comm', 'utf8').trim())).toContain(0);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash(PASSWORD)).not.toBe(stored);
  });

  it('verifies the right password', async () => {
    expect(await hasher.verify(stored, PASSWORD)).toBe(true);
  });

  it('verifies the same password typed without the ligature (NFKC normalisation)', async () => {
    expect(await hasher.verify(stored, 'first-light-run-42')).toBe(true);
  });

  it.each(['first-light-run-43', 'FIRST-LIGHT-RUN-42', ''])(
    'refuses the wrong password %p',
    async (wrong) => {
      expect(await hasher.verify(stored, wrong)).toBe(false);
    },
  );

  it.each([
    ['an empty hash', ''],
    ['plain text', 'not-a-hash'],
    ['a truncated argon2 hash', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA'],
    ['a bcrypt hash', '$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234'],
  ])('treats %s as a mismatch instead of throwing', async (_case, malformed) => {
    await expect(hasher.verify(malformed, PASSWORD)).resolves.toBe(false);
  });

  it('answers false for an unknown account, after doing the same work as a verification', async () => {
    const verify = jest.spyOn(hasher, 'verify');
    expect(await hasher.verifyNothing(PASSWORD)).toBe(false);
    expect(verify).toHaveBeenCalledWith(expect.stringMatching(ARGON2ID_HASH), PASSWORD);
    expect(parametersOf(verify.mock.calls[0]![0])).toEqual(OWASP);
  });

  describe('needsRehash', () => {
    it('is false for a hash made with the current parameters', () => {
      expect(hasher.needsRehash(stored)).toBe(false);
    });

    it('is true for a hash made with weaker parameters', async () => {
      const weak = await argon2.hash(PASSWORD, {
        type: argon2.argon2id,
        memoryCost: 4096,
        timeCost: 1,
        parallelism: 1,
      });
      expect(hasher.needsRehash(weak)).toBe(true);
    });

    it('is true for every existing hash once the parameters are raised', () => {
      expect(new PasswordHasher({ timeCost: 3 }).needsRehash(stored)).toBe(true);
    });
  });

  it('raises options below the OWASP minimums to the minimums', async () => {
    expect(parametersOf(await new PasswordHasher({ memoryKiB: 1024, timeCost: 1 }).hash(PASSWORD))).toEqual(
      OWASP,
    );
  });

  it('refuses with 503 SERVICE.BUSY when more hashes are asked for than it may run and queue', async () => {
    const single = new PasswordHasher({ maxConcurrent: 1, maxQueued: 0 });
    const [first, second] = await Promise.allSettled([single.hash(PASSWORD), single.hash(PASSWORD)]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: expect.any(AppException) });
    expect((second as PromiseRejectedResult).reason).toMatchObject({ code: 'SERVICE.BUSY' });
  });
});
