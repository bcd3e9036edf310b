/** How the launcher restarts a crashed component, like compose's `restart: unless-stopped`, but bounded. */
export interface RestartPolicy {
  /** This many crashes of one component within `windowMs` is a crash loop: the stack stops. */
  maxCrashes: number;
  windowMs: number;
  /** The first restart waits this long; each further crash in the window doubles it, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxCrashes: 5,
  windowMs: 60_000,
  firstDelayMs: 500,
  maxDelayMs: 8_000,
};

/** What to do about one crash: restart after a delay, or give up (a crash loop). */
export type RestartDecision =
  | { kind: 'restart'; delayMs: number; crashesInWindow: number }
  | { kind: 'give up'; crashesInWindow: number };

/**
 * Counts each component's crashes in a sliding window. Restarting for ever would hide a component that
 * cannot run (a broken build, a port taken, a corrupt data folder) behind a scrolling log; never
 * restarting would end a developer's stack for one transient crash.
 */
export class CrashCounter {
  private readonly crashes = new Map<string, number[]>();

  constructor(
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  crashed(component: string): RestartDecision {
    const at = this.now();
    const recent = (this.crashes.get(component) ?? []).filter((time) => at - time < this.policy.windowMs);
    recent.push(at);
    this.crashes.set(component, recent);
    if (recent.length >= this.policy.maxCrashes) return { kind: 'give up', crashesInWindow: recent.length };
    const delayMs = Math.min(this.policy.firstDelayMs * 2 ** (recent.length - 1), this.policy.maxDelayMs);
    return { kind: 'restart', delayMs, crashesInWindow: recent.length };
  }
}
