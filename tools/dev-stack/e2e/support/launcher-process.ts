import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type ProcessIdentity, readProcessIdentity, stopRecordedProcess } from '@runnerly/dev-infra';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
export const LAUNCHER_ENTRY = join(WORKSPACE_ROOT, 'tools/dev-stack/dist/main.js');
export const BACKUP_ENTRY = join(WORKSPACE_ROOT, 'tools/dev-stack/dist/backup.js');

export interface StackPorts {
  gateway: number;
  users: number;
  runs: number;
  postgres: number;
  mailSmtp: number;
  mailHttp: number;
  gatewayMetrics: number;
  usersMetrics: number;
  runsMetrics: number;
}

/** The environment of a launcher under test: its own ports and state folder, nothing inherited by chance. */
export function launcherEnv(
  stateDir: string,
  ports: StackPorts,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUNNERLY_STATE_DIR: stateDir,
    GATEWAY_PORT: String(ports.gateway),
    RUNNERLY_USERS_PORT: String(ports.users),
    RUNNERLY_RUNS_PORT: String(ports.runs),
    RUNNERLY_POSTGRES_PORT: String(ports.postgres),
    RUNNERLY_MAIL_SMTP_PORT: String(ports.mailSmtp),
    RUNNERLY_MAIL_HTTP_PORT: String(ports.mailHttp),
    RUNNERLY_GATEWAY_METRICS_PORT: String(ports.gatewayMetrics),
    RUNNERLY_USERS_METRICS_PORT: String(ports.usersMetrics),
    RUNNERLY_RUNS_METRICS_PORT: String(ports.runsMetrics),
    ...extra,
  };
}

/** `npm start`'s launcher as a child process, its output collected line by line (stdout is a pipe). */
export class LauncherProcess {
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
    createInterface({ input: child.stdout! }).on('line', (line) => this.stdoutLines.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderrLines.push(line));
  }

  /** In a process group of its own, so that it can be sent a terminal's Ctrl-C (see `pressCtrlC`). */
  static start(env: NodeJS.ProcessEnv): LauncherProcess {
    return new LauncherProcess(
      spawn(process.execPath, [LAUNCHER_ENTRY], {
        cwd: WORKSPACE_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** null while it runs. */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  get output(): string {
    return [...this.stdoutLines, ...this.stderrLines].join('\n');
  }

  /** The JSON log records written so far (stdout, in JSON mode). */
  get records(): Record<string, unknown>[] {
    return this.stdoutLines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Resolves once the launcher prints its summary; rejects, with its output, if it exits first. */
  async waitUntilUp(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdoutLines.some((line) => line.includes('Runnerly is up'))) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `The launcher exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.output}`,
        );
      }
      if (Date.now() > deadline) throw new Error(`The stack was not up in ${timeoutMs} ms:\n${this.output}`);
      await sleep(100);
    }
  }

  /** A signal to the launcher alone, as `kill -INT <pid>` or a process manager sends it. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** What Ctrl-C in a terminal does: SIGINT to every process of the foreground process group. */
  pressCtrlC(): void {
    process.kill(-this.pid, 'SIGINT');
  }

  /** Stops the launcher if a test left it running. */
  stopIfRunning(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
  }
}

/**
 * After a failed test: stops what a launcher killed mid-test left in `stateDir` (its recorded services,
 * its PostgreSQL), so that one failure does not leave processes behind. Only processes that still match
 * their record are signalled.
 */
export async function stopLeftovers(stateDir: string): Promise<void> {
  const record = await readFile(join(stateDir, 'stack.pid.json'), 'utf8').then(
    (content) => JSON.parse(content) as { services: ProcessIdentity[] },
    () => ({ services: [] }),
  );
  await Promise.all(record.services.map((service) => stopRecordedProcess(service, 5_000)));
  const postgres = await readProcessIdentity(await postmasterPid(stateDir).catch(() => 0));
  if (postgres?.commandLine[0]?.endsWith('/postgres')) await stopRecordedProcess(postgres, 10_000);
}

/** The process group of a process (field 5 of /proc/<pid>/stat). */
export async function processGroupOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** The pids the launcher recorded for its services. */
export async function recordedServicePids(stateDir: string): Promise<Record<string, number>> {
  const record = JSON.parse(await readFile(join(stateDir, 'stack.pid.json'), 'utf8')) as {
    services: { name: string; pid: number }[];
  };
  return Object.fromEntries(record.services.map((service) => [service.name, service.pid]));
}

export async function postmasterPid(stateDir: string): Promise<number> {
  return Number((await readFile(join(stateDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n', 1)[0]);
}

/** `process.kill(pid, 0)`: true unless the process is gone (ESRCH). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== 'ESRCH';
  }
}

/**
 * True while the process runs. An orphan re-parented to an init that does not reap (some containers)
 * stays a zombie after it exits: it no longer runs anything, but `kill(pid, 0)` still finds it.
 */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    return !/^State:\s*Z/m.test(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

export async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(50);
  }
  return condition();
}

/** A port for each process of the stack, each free a moment ago on 127.0.0.1. */
export async function freeStackPorts(): Promise<StackPorts> {
  const servers = await Promise.all(
    Array.from({ length: 9 }, async () => {
      const server = createServer();
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      return server;
    }),
  );
  const [gateway, users, runs, postgres, mailSmtp, mailHttp, gatewayMetrics, usersMetrics, runsMetrics] =
    servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise<void>((done) => server.close(() => done()))));
  return {
    gateway: gateway!,
    users: users!,
    runs: runs!,
    postgres: postgres!,
    mailSmtp: mailSmtp!,
    mailHttp: mailHttp!,
    gatewayMetrics: gatewayMetrics!,
    usersMetrics: usersMetrics!,
    runsMetrics: runsMetrics!,
  };
}

export async function isPortFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((done) => {
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

export function makeStateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dev-stack-e2e-'));
}

/** Registers an account through the gateway and logs in: the proof that all three services and the database work. */
export async function registerAndLogIn(gatewayUrl: string, email: string): Promise<{ accessToken: string }> {
  const credentials = { email, password: 'a long and unusual passphrase 7' };
  const registered = await postJson(`${gatewayUrl}/api/auth/register`, {
    ...credentials,
    displayName: 'Ada',
  });
  if (registered.status !== 201) {
    throw new Error(`register answered ${registered.status}: ${JSON.stringify(registered.body)}`);
  }
  return logIn(gatewayUrl, credentials);
}

export async function logIn(gatewayUrl: string, credentials: { email: string; password: string }) {
  const loggedIn = await postJson(`${gatewayUrl}/api/auth/login`, credentials);
  if (loggedIn.status !== 200)
    throw new Error(`login answered ${loggedIn.status}: ${JSON.stringify(loggedIn.body)}`);
  return loggedIn.body as { accessToken: string };
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** The built `npm run backup` / `npm run restore` (backup.js create|restore), run to its end. */
export function runBackupCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [BACKUP_ENTRY, ...args],
      { env, cwd: WORKSPACE_ROOT },
      (error, stdout, stderr) =>
        resolvePromise({
          status: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stdout,
          stderr,
        }),
    );
  });
}
