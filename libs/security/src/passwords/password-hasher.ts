import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { lowerThreadPoolPriority } from './thread-pool-priority';

export interface PasswordHasherOptions {
  /** argon2id memory in KiB. OWASP minimum: 19 MiB. */
  memoryKiB?: number;
  /** argon2id iterations. OWASP minimum with 19 MiB: 2. */
  timeCost?: number;
  /** Hashes computed at once. Default: the number of CPUs. */
  maxConcurrent?: number;
  /** Hashes waiting for a slot before new ones are refused with 503. Default: 32. */
  maxQueued?: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1. */
export const ARGON2ID_OWASP = { memoryKiB: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

/**
 * Hashes and verifies passwords with argon2id at (at least) the OWASP parameters, a bounded number at a
 * time, on threads that yield the CPU to request handling (see lowerThreadPoolPriority). Passwords are
 * Unicode-normalised (NFKC) first, so the same password typed on two keyboards matches.
 */
export class PasswordHasher {
  private readonly limiter: ConcurrencyLimiter;
  private readonly lowPriority = lowerThreadPoolPriority();
  private readonly params: argon2.HashOptions;
  private dummyHash?: Promise<string>;

  constructor(options: PasswordHasherOptions = {}) {
    const memoryKiB = Math.max(options.memoryKiB ?? ARGON2ID_OWASP.memoryKiB, ARGON2ID_OWASP.memoryKiB);
    const timeCost = Math.max(options.timeCost ?? ARGON2ID_OWASP.timeCost, ARGON2ID_OWASP.timeCost);
    this.params = {
      type: argon2.argon2id,
      memoryCost: memoryKiB,
      timeCost,
      parallelism: ARGON2ID_OWASP.parallelism,
    };
    this.limiter = new ConcurrencyLimiter(
      options.maxConcurrent ?? availableParallelism(),
      options.maxQueued ?? 32,
    );
  }

  hash(password: string): Promise<string> {
    return this.run(() => argon2.hash(password.normalize('NFKC'), this.params));
  }

  /** Verifies against a stored hash. Malformed hashes count as a mismatch, never as an error. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.run(() => argon2.verify(hash, password.normalize('NFKC')).catch(() => false));
  }

  /**
   * Spends the same work as `verify` when no account matched, so "unknown email" and "wrong password"
   * take the same time and an attacker cannot list registered emails by timing logins.
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= argon2.hash('runnerly-dummy-password', this.params);
    await this.verify(await this.dummyHash, password);
    return false;
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    await this.lowPriority;
    return this.limiter.run(task);
  }

  /** True when a stored hash used weaker parameters than today's: re-hash it after a successful login. */
  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.params);
  }
}
