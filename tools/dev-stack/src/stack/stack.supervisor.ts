import { type EmbeddedPostgresServer, ServiceProcess, type ServiceProcessOptions } from '@runnerly/dev-infra';

/** Why the stack ends: asked to (a signal), or something failed (then the launcher exits with 1). */
export type StackEnd =
  | { kind: 'stop'; signal: NodeJS.Signals }
  | { kind: 'failure'; message: string; lastOutput?: { service: string; lines: string[] } };

/** How long a service gets to finish its requests and close its connections after SIGTERM. */
export const SERVICE_STOP_TIMEOUT_MS = 10_000;

/**
 * Owns every process of the stack: it starts them in order, notices one that dies, and stops them in
 * reverse order (services first, PostgreSQL last, so that no service loses its database while it still
 * serves). The first end (a signal or a failure) wins; later ones are ignored, so a Ctrl-C that a
 * terminal and npm both deliver stops the stack once.
 */
export class StackSupervisor {
  readonly ended: Promise<StackEnd>;
  private readonly services: ServiceProcess[] = [];
  /** Services whose failure `startService` reports itself (from `ready()`, which knows why). */
  private readonly awaitingReady = new Set<ServiceProcess>();
  private postgres: EmbeddedPostgresServer | undefined;
  private endedWith: StackEnd | undefined;
  private resolveEnded: (end: StackEnd) => void = () => undefined;

  constructor(private readonly note: (message: string) => void) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  get isEnding(): boolean {
    return this.endedWith !== undefined;
  }

  /** Ends the stack (once): `main` then stops everything. Returns false when it was already ending. */
  end(end: StackEnd): boolean {
    if (this.endedWith !== undefined) return false;
    this.endedWith = end;
    this.resolveEnded(end);
    return true;
  }

  async startPostgres(server: EmbeddedPostgresServer): Promise<string> {
    this.assertNotEnding();
    this.postgres = server;
    return server.start();
  }

  /**
   * Spawns a service and resolves once it is ready. `onSpawned` runs as soon as its pid exists (the
   * launcher records it), before the wait; a stop requested meanwhile stops it too.
   */
  async startService(
    options: ServiceProcessOptions,
    onSpawned: (service: ServiceProcess) => Promise<void>,
  ): Promise<void> {
    this.assertNotEnding();
    const startedAt = Date.now();
    // Its own process group: a Ctrl-C in the terminal reaches the launcher, which stops services in order.
    const service = ServiceProcess.spawn({ ...options, detached: true });
    this.services.push(service);
    void service.waitForExit().then((code) => this.serviceExited(service, code));
    await onSpawned(service);
    try {
      this.awaitingReady.add(service);
      await service.ready();
    } catch (error) {
      // ready() says what went wrong: "users exited with code 1 before it was ready:", "was not ready within".
      const reason = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!;
      this.end({
        kind: 'failure',
        message: reason.replace(/:$/, ''),
        lastOutput: { service: service.name, lines: service.recentOutput.split('\n') },
      });
      throw error;
    } finally {
      this.awaitingReady.delete(service);
    }
    this.note(
      `${service.name} is ready on ${service.url} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
    );
  }

  /** Services in reverse start order (SIGTERM, then SIGKILL after a while), then PostgreSQL. */
  async stop(): Promise<void> {
    for (const service of [...this.services].reverse()) {
      if (!service.isRunning) continue;
      await service.stop(SERVICE_STOP_TIMEOUT_MS);
      this.note(`Stopped ${service.name}`);
    }
    if (this.postgres !== undefined) {
      // Waits for a start still in progress, then stops the server it started.
      await this.postgres.stop();
      this.note('Stopped PostgreSQL');
    }
  }

  /** Kills every service still running, synchronously: the launcher's last act when it exits abnormally. */
  killNow(): void {
    for (const service of this.services) service.killNow();
  }

  private serviceExited(service: ServiceProcess, code: number | null): void {
    if (this.isEnding || this.awaitingReady.has(service)) return;
    this.end({
      kind: 'failure',
      message: `${service.name} ${code === null ? 'was killed by a signal' : `exited with code ${code}`}`,
      lastOutput: { service: service.name, lines: service.recentOutput.split('\n') },
    });
  }

  private assertNotEnding(): void {
    if (this.isEnding) throw new Error('The stack is stopping');
  }
}
