import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasErrorCode } from '../errno';

/**
 * What tells one process apart from any other that later gets the same pid: its command line and the
 * moment it started (in clock ticks since boot, field 22 of /proc/<pid>/stat). A pid alone is not
 * enough to signal a process recorded by an earlier run: pids are reused.
 */
export interface ProcessIdentity {
  pid: number;
  commandLine: string[];
  startTicks: number;
}

const POLL_INTERVAL_MS = 50;

/**
 * The identity of a running process, read from /proc; undefined when it is gone, a zombie, or cannot be
 * inspected (another user's process, or not Linux: nothing can be proved there, so nothing is signalled).
 */
export async function readProcessIdentity(pid: number): Promise<ProcessIdentity | undefined> {
  if (process.platform !== 'linux' || !Number.isInteger(pid) || pid < 1) return undefined;
  try {
    const [stat, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTicks = Number(fields[19]);
    if (state === 'Z' || state === 'X' || !Number.isSafeInteger(startTicks)) return undefined;
    return { pid, commandLine: cmdline.split('\0').filter((arg) => arg !== ''), startTicks };
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ESRCH') || hasErrorCode(error, 'EACCES')) {
      return undefined;
    }
    throw error;
  }
}

/** True while the very process that `recorded` describes is still running (not one that reused its pid). */
export async function isSameProcessRunning(recorded: ProcessIdentity): Promise<boolean> {
  const current = await readProcessIdentity(recorded.pid);
  return (
    current !== undefined &&
    current.startTicks === recorded.startTicks &&
    current.commandLine.length === recorded.commandLine.length &&
    current.commandLine.every((arg, index) => arg === recorded.commandLine[index])
  );
}

/**
 * Stops the recorded process if, and only if, it is still that process: SIGTERM, then SIGKILL after
 * `timeoutMs`. Resolves with what happened; `not-running` covers a pid now used by another program,
 * which is never signalled.
 */
export async function stopRecordedProcess(
  recorded: ProcessIdentity,
  timeoutMs: number,
): Promise<'not-running' | 'stopped' | 'killed'> {
  if (!(await isSameProcessRunning(recorded))) return 'not-running';
  signal(recorded.pid, 'SIGTERM');
  if (await waitUntilGone(recorded, timeoutMs)) return 'stopped';
  // Checked again right before the signal: the window in which the pid could be reused stays tiny.
  if (await isSameProcessRunning(recorded)) signal(recorded.pid, 'SIGKILL');
  await waitUntilGone(recorded, 5_000);
  return 'killed';
}

/** Resolves true once the process has exited (a zombie counts as exited: it no longer runs anything). */
async function waitUntilGone(recorded: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isSameProcessRunning(recorded))) return true;
    await sleep(POLL_INTERVAL_MS);
  }
  return !(await isSameProcessRunning(recorded));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Exited between the check and the signal: that is what we wanted.
    if (!hasErrorCode(error, 'ESRCH')) throw error;
  }
}
