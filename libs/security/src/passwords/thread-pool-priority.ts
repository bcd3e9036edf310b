import { randomFill } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Linux nice value for the threads that hash: 10 gets about a tenth of a core that other work also wants. */
export const HASHING_NICE = 10;

/**
 * Lowers the scheduling priority of libuv's thread pool, where argon2 computes every password hash.
 *
 * At the same priority as the event loops, a burst of logins (or credential stuffing, each guess a hash)
 * takes every core, and every other request waits for CPU: in the benchmark, reads through the gateway
 * went from a p99 of 15 ms to 278 ms while logins were saturated (OWASP API4, unrestricted resource
 * consumption). A thread with a higher nice value still gets every idle cycle, so logins alone run as fast as
 * before, but yields to the threads that answer requests. Linux sets nice per thread, found under
 * /proc/self/task by libuv's name for them; elsewhere this does nothing. The pool also does file and DNS work,
 * which then waits too under full load.
 *
 * Resolves to the number of threads lowered; never rejects (a priority is an optimisation, not a control).
 */
export async function lowerThreadPoolPriority(nice = HASHING_NICE): Promise<number> {
  try {
    // libuv starts every thread of its pool on the pool's first use: use it once so that they all exist.
    await new Promise((resolve) => randomFill(Buffer.alloc(1), resolve));
    let lowered = 0;
    for (const task of readdirSync('/proc/self/task')) {
      if (!/^\d+$/.test(task)) continue;
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- a thread id the kernel listed
      if (readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
      // Never raise a priority someone lowered further (that would need privileges anyway).
      setPriority(Number(task), Math.max(nice, getPriority(Number(task))));
      lowered++;
    }
    return lowered;
  } catch {
    return 0;
  }
}
