import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

/** Receives one line a service wrote, and on which of its streams. */
export type ServiceOutputLine = (line: string, stream: 'stdout' | 'stderr') => void;

export interface ServiceProcessOptions {
  /** Shown in errors, e.g. 'users'. */
  name: string;
  /** The built entry point, e.g. apps/users/dist/main.js. */
  entry: string;
  env: Record<string, string>;
  /** Where the service answers, for the readiness probe: http://127.0.0.1:3001 */
  url: string;
  /** For an https:// url: the CA (PEM) that signed the service's certificate, trusted by the probe only. */
  ca?: string;
  /** Receives every line the service writes to stdout or stderr. */
  onLine?: ServiceOutputLine;
  /** How long to wait for /health/ready. Default: 60 s. */
  readyTimeoutMs?: number;
  cwd?: string;
  /**
   * Runs the service in a process group of its own, so that a Ctrl-C in the terminal (which signals the
   * whole foreground group) reaches only its parent, which then stops the services in order. Default: false.
   */
  detached?: boolean;
}

const LAST_LINES = 30;
const DEFAULT_READY_TIMEOUT_MS = 60_000;

/**
 * One Runnerly service as a child process (the built JavaScript, run by this Node), started and
 * considered up only once its /health/ready answers 200. Used by `npm start` and the full-stack tests.
 */
export class ServiceProcess {
  private readonly lastLines: string[] = [];
  private readonly exited: Promise<number | null>;
  private spawnFailed = false;

  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly readyTimeoutMs: number,
    private readonly ca: string | undefined,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      // Emitted instead of 'exit' when the process could not be spawned at all (a missing cwd, say).
      child.once('error', (error) => {
        if (child.pid !== undefined) return;
        this.spawnFailed = true;
        this.remember(`${this.name} could not be started: ${error.message}`, 'stderr');
        resolve(null);
      });
    });
  }

  /** Spawns the service and resolves once it is ready (see `spawn` and `ready`). */
  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const service = ServiceProcess.spawn(options);
    await service.ready();
    return service;
  }

  /**
   * Spawns the service without waiting for it: its pid is known at once, so a caller can record it and
   * stop it even while it is still starting. Then await `ready()`.
   */
  static spawn(options: ServiceProcessOptions): ServiceProcess {
    const child = spawn(process.execPath, [options.entry], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    const service = new ServiceProcess(
      options.name,
      options.url,
      child,
      options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      options.ca,
    );
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream]! }).on('line', (line) =>
        service.remember(line, stream, options.onLine),
      );
    }
    return service;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get isRunning(): boolean {
    return !this.spawnFailed && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the service wrote, to explain a failure. */
  get recentOutput(): string {
    return this.lastLines.join('\n');
  }

  /** Resolves once /health/ready answers 200; rejects, with the service's last output, if it exits or times out. */
  ready(): Promise<void> {
    return this.waitUntilReady(this.readyTimeoutMs);
  }

  /** Asks the service to stop (SIGTERM: Nest closes connections and finishes requests), then kills it. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.isRunning) return;
    this.child.kill('SIGTERM');
    // An unref'd timer: a service that stops at once must not keep the caller's process alive for timeoutMs.
    const stopped = await Promise.race([
      this.exited.then(() => true),
      sleep(timeoutMs, false, { ref: false }),
    ]);
    if (!stopped) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /**
   * Kills the service at once (SIGKILL), synchronously: for a process 'exit' handler, which cannot wait,
   * so that no service outlives its parent.
   */
  killNow(): void {
    if (this.isRunning) this.child.kill('SIGKILL');
  }

  /** Resolves with the exit code when the process ends (on its own or stopped). */
  waitForExit(): Promise<number | null> {
    return this.exited;
  }

  private remember(line: string, stream: 'stdout' | 'stderr', onLine?: ServiceOutputLine): void {
    this.lastLines.push(line);
    if (this.lastLines.length > LAST_LINES) this.lastLines.shift();
    onLine?.(line, stream);
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.isRunning) {
        throw new Error(
          `${this.name} exited with code ${await this.exited} before it was ready:\n${this.recentOutput}`,
        );
      }
      if (await answersReady(`${this.url}/health/ready`, this.ca)) return;
      await sleep(200);
    }
    await this.stop();
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.recentOutput}`);
  }
}

/** Whether `url` answers 200 within a second; over HTTPS, trusting `ca` only (fetch cannot be given a CA). */
function answersReady(url: string, ca: string | undefined): Promise<boolean> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const probe = request(url, { ca, timeout: 1_000, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    probe.on('timeout', () => probe.destroy());
    probe.on('error', () => resolve(false));
    probe.end();
  });
}
