import { setTimeout as sleep } from 'node:timers/promises';
import { type EmbeddedPostgresServer, ServiceProcess, type ServiceProcessOptions } from '@runnerly/dev-infra';
import { CrashCounter, DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart.policy';

/** Why the stack ends: asked to (a signal), or something failed (then the launcher exits with 1). */
export type StackEnd =
  | { kind: 'stop'; signal: NodeJS.Signals }
  | { kind: 'failure'; message: string; lastOutput?: { service: string; lines: string[] } };

/** How long a service gets to finish its requests and close its connections after SIGTERM. */
export const SERVICE_STOP_TIMEOUT_MS = 10_000;

type OnSpawned = (service: ServiceProcess) => Promise<void>;

/**
 * Owns every process of the stack: it starts them in order, restarts one that crashes (with backoff;
 * PostgreSQL's crash recovery keeps every committed write, and the services reconnect), and stops them
 * in reverse order (services first, PostgreSQL last, so that no service loses its database while it still
 * serves). A crash loop (see RestartPolicy) ends the stack. The first end (a signal or a failure) wins;
 * later ones are ignored, so a Ctrl-C that a terminal and npm both deliver stops the stack once.
 */
export class StackSupervisor {
  readonly ended: Promise<StackEnd>;
  private readonly services: ServiceProcess[] = [];
  /** Services whose failure `startService` reports itself (from `ready()`, which knows why). */
  private readonly awaitingReady = new Set<ServiceProcess>();
  private postgres: EmbeddedPostgresServer | undefined;
  private endedWith: StackEnd | undefined;
  /** Set by `stop()`: the services exit because they were asked to, and none may be restarted. */
  private stopping = false;
  private resolveEnded: (end: StackEnd) => void = () => undefined;
  private readonly crashes: CrashCounter;
  /** "60 s": the crash-loop window, as the log lines say it. */
  private readonly window: string;

  constructor(
    private readonly note: (message: string) => void,
    restartPolicy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.crashes = new CrashCounter(restartPolicy);
    this.window = `${restartPolicy.windowMs / 1000} s`;
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
    server.whenExitsUnexpectedly((reason) => void this.restartPostgres(server, reason));
    return server.start();
  }

  /**
   * Spawns a service and resolves once it is ready. `onSpawned` runs as soon as its pid exists (the
   * launcher records it), before the wait; a stop requested meanwhile stops it too.
   */
  async startService(options: ServiceProcessOptions, onSpawned: OnSpawned): Promise<void> {
    this.assertNotEnding();
    const startedAt = Date.now();
    const service = this.spawn(options, onSpawned);
    this.services.push(service);
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
    this.stopping = true;
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

  /** Its own process group: a Ctrl-C in the terminal reaches the launcher, which stops services in order. */
  private spawn(options: ServiceProcessOptions, onSpawned: OnSpawned): ServiceProcess {
    const service = ServiceProcess.spawn({ ...options, detached: true });
    void service
      .waitForExit()
      .then((code) => this.serviceExited(service, code, options, onSpawned))
      .catch((error: unknown) => this.end({ kind: 'failure', message: `${options.name}: ${String(error)}` }));
    return service;
  }

  private async serviceExited(
    service: ServiceProcess,
    code: number | null,
    options: ServiceProcessOptions,
    onSpawned: OnSpawned,
  ): Promise<void> {
    if (this.isEnding || this.stopping || this.awaitingReady.has(service)) return;
    const how = code === null ? 'was killed by a signal' : `exited with code ${code}`;
    if (!(await this.waitToRestart(service.name, how, service.recentOutput))) return;
    const restarted = this.spawn(options, onSpawned);
    this.services[this.services.indexOf(service)] = restarted;
    await onSpawned(restarted);
    // A restart that dies again before it is ready is one more crash, counted by its own exit.
    await restarted.ready().then(
      () => this.note(`${service.name} is back on ${service.url}`),
      () => undefined,
    );
  }

  private async restartPostgres(server: EmbeddedPostgresServer, reason: string): Promise<void> {
    if (!(await this.waitToRestart('PostgreSQL', reason, ''))) return;
    try {
      await server.start();
      this.note('PostgreSQL is back (its crash recovery kept every committed write); services reconnect');
    } catch (error) {
      await this.restartPostgres(server, `failed to start: ${(error as Error).message.split('\n', 1)[0]}`);
    }
  }

  /**
   * Says what happened and what comes next, then waits the backoff delay. False when the stack is ending
   * instead: on a crash loop (which ends it here) or a stop asked for meanwhile.
   */
  private async waitToRestart(component: string, how: string, lastOutput: string): Promise<boolean> {
    const decision = this.crashes.crashed(component);
    if (decision.kind === 'give up') {
      this.end({
        kind: 'failure',
        message: `${component} ${how}, crash ${decision.crashesInWindow} within ${this.window}: a crash loop`,
        lastOutput: { service: component, lines: lastOutput.split('\n') },
      });
      return false;
    }
    this.note(
      `${component} ${how}: restarting it in ${(decision.delayMs / 1000).toFixed(1)} s ` +
        `(crash ${decision.crashesInWindow} within ${this.window})`,
    );
    await sleep(decision.delayMs);
    return !this.isEnding && !this.stopping;
  }

  private assertNotEnding(): void {
    if (this.isEnding) throw new Error('The stack is stopping');
  }
}
