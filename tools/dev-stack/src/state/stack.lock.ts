import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isSameProcessRunning,
  type ProcessIdentity,
  readProcessIdentity,
  stopRecordedProcess,
} from '@runnerly/dev-infra';

export const PID_FILE = 'stack.pid.json';

/** How long a service left behind by a killed launcher gets to stop on SIGTERM before SIGKILL. */
const ORPHAN_STOP_TIMEOUT_MS = 10_000;

/** A process the launcher started: a service, or the mail catcher. */
interface RecordedService extends ProcessIdentity {
  name: string;
}

/** The content of `stack.pid.json`. */
interface StackRecord {
  launcher: ProcessIdentity;
  services: RecordedService[];
}

export interface StackLockOptions {
  /** The entry point of each process the launcher starts, by name: only a process running one is ever stopped. */
  entries: Readonly<Record<string, string>>;
  note: (message: string) => void;
}

/**
 * One launcher per state folder, and nothing left behind by the previous one.
 *
 * `stack.pid.json` records the launcher and every service it spawned, each by pid, command line and start
 * time. A launcher killed with SIGKILL cannot stop its services: they keep running and hold their ports,
 * and the next start would fail. So a new launcher that finds the file of a dead one stops the services
 * recorded there that still run, but only those whose command line and start time still match (a pid
 * reused by an unrelated program is never signalled). If the recorded launcher is alive, it refuses.
 * (PostgreSQL's own orphan is handled by EmbeddedPostgresServer.) Linux only, as it reads /proc: elsewhere
 * nothing recorded is ever signalled.
 */
export class StackLock {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly record: StackRecord,
  ) {}

  static async claim(stateDir: string, options: StackLockOptions): Promise<StackLock> {
    await mkdir(stateDir, { recursive: true });
    const file = join(stateDir, PID_FILE);
    const launcher = (await readProcessIdentity(process.pid)) ?? {
      pid: process.pid,
      commandLine: process.argv,
      startTicks: -1,
    };

    const previous = await readRecord(file, options.note);
    if (previous !== undefined) {
      if (await isSameProcessRunning(previous.launcher))
        throw alreadyRunning(previous.launcher.pid, stateDir);
      await stopLeftovers(previous, options);
    }

    const lock = new StackLock(file, { launcher, services: [] });
    await lock.write(previous === undefined ? 'create' : 'replace').catch((error: unknown) => {
      // Another launcher created the file between our read and our write.
      if ((error as { code?: unknown }).code === 'EEXIST') throw alreadyRunning(undefined, stateDir);
      throw error;
    });
    return lock;
  }

  /** Records a service just spawned, so that a next launcher can stop it if this one gets killed. */
  async recordService(name: string, pid: number): Promise<void> {
    const identity = await readProcessIdentity(pid);
    if (identity === undefined) return; // Already gone, or not Linux: nothing a next launcher could verify.
    // A restarted service replaces its dead predecessor's entry.
    const entry = { name, ...identity };
    const index = this.record.services.findIndex((service) => service.name === name);
    if (index === -1) this.record.services.push(entry);
    else this.record.services[index] = entry;
    await this.write('replace');
  }

  /** Removes the file if it is still ours. Synchronous: also called from a process 'exit' handler. */
  release(): void {
    try {
      const current = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<StackRecord>;
      if (current.launcher?.pid === this.record.launcher.pid) rmSync(this.file, { force: true });
    } catch {
      // Missing or unreadable: nothing of ours to remove.
    }
  }

  /** Writes the record atomically: a reader never sees half a file. 'create' fails if the file exists. */
  private write(mode: 'create' | 'replace'): Promise<void> {
    const content = `${JSON.stringify(this.record, null, 2)}\n`;
    this.writes = this.writes.then(async () => {
      const temporary = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
      try {
        if (mode === 'create') await link(temporary, this.file);
        else await rename(temporary, this.file);
      } finally {
        await rm(temporary, { force: true });
      }
    });
    return this.writes;
  }
}

async function stopLeftovers(previous: StackRecord, options: StackLockOptions): Promise<void> {
  // Stopped one at a time in reverse start order, the gateway first, as a normal stop would.
  for (const service of [...previous.services].reverse()) {
    if (!Object.hasOwn(options.entries, service.name)) continue;
    if (service.commandLine[1] !== options.entries[service.name]) continue;
    const outcome = await stopRecordedProcess(service, ORPHAN_STOP_TIMEOUT_MS);
    if (outcome !== 'not-running') {
      options.note(
        `Stopped ${service.name} (pid ${service.pid}), left running by a previous launcher ` +
          `(pid ${previous.launcher.pid}) that ended without stopping it${outcome === 'killed' ? ' (it needed SIGKILL)' : ''}`,
      );
    }
  }
}

async function readRecord(file: string, note: (message: string) => void): Promise<StackRecord | undefined> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const record = JSON.parse(content) as StackRecord;
    if (isIdentity(record.launcher) && Array.isArray(record.services) && record.services.every(isIdentity)) {
      return record;
    }
  } catch {
    // Reported below, like a file of the wrong shape.
  }
  note(`Ignoring ${file}: it is not a pid file written by this launcher`);
  return { launcher: { pid: 0, commandLine: [], startTicks: -1 }, services: [] };
}

function isIdentity(value: unknown): value is ProcessIdentity {
  const identity = value as Partial<ProcessIdentity> | undefined;
  return (
    Number.isInteger(identity?.pid) &&
    Number.isInteger(identity?.startTicks) &&
    Array.isArray(identity?.commandLine) &&
    identity.commandLine.every((arg) => typeof arg === 'string')
  );
}

function alreadyRunning(pid: number | undefined, stateDir: string): Error {
  const who = pid === undefined ? 'another launcher' : `the launcher with pid ${pid}`;
  return new Error(
    `Runnerly is already running from ${stateDir} (${who}). Stop it first (Ctrl-C in its terminal` +
      `${pid === undefined ? '' : `, or "kill -INT ${pid}"`}), or give this one its own RUNNERLY_STATE_DIR ` +
      'and ports.',
  );
}
