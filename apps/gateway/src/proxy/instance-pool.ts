/** How long an instance that refused a connection is skipped (a restart takes a few seconds). */
export const INSTANCE_DOWN_MS = 5_000;

/**
 * The instances of one service: each request starts at the next one in turn (round-robin), and an
 * instance that just refused a connection is tried last for INSTANCE_DOWN_MS (passive health), so a
 * restarting replica costs no connect attempt per request. When all are marked down they are all tried
 * anyway: a stale mark must not turn into answering nothing. A single URL is taken for a load balancer
 * (a Kubernetes Service): a retry goes through it once more, to whichever instance it picks.
 */
export class InstancePool {
  private next = 0;
  private readonly downUntil = new Map<string, number>();

  constructor(
    readonly instances: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  /** Every instance once (a single one twice), in the order to try them for one request. */
  attemptOrder(): string[] {
    if (this.instances.length === 1) return [this.instances[0]!, this.instances[0]!];
    const start = this.next;
    this.next = (this.next + 1) % this.instances.length;
    const turn = [...this.instances.slice(start), ...this.instances.slice(0, start)];
    const isUp = (instance: string) => (this.downUntil.get(instance) ?? 0) <= this.now();
    return [...turn.filter(isUp), ...turn.filter((instance) => !isUp(instance))];
  }

  markDown(instance: string): void {
    this.downUntil.set(instance, this.now() + INSTANCE_DOWN_MS);
  }
}
