import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** 32 random bytes = 256 bits, the strength of the keys and passwords the launcher generates. */
export const DEFAULT_SECRET_BYTES = 32;
/** Below 128 bits a generated secret is guessable offline; refuse rather than hand out a weak one. */
export const MIN_SECRET_BYTES = 16;

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;
/** Permission bits that would let the group or other users in. */
const GROUP_OR_OTHER_BITS = 0o077;

/** A random secret as base64url text: safe in URLs, environment variables and files, no padding. */
export function generateSecret(bytes: number = DEFAULT_SECRET_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > 1024) {
    throw new RangeError(`A secret needs between ${MIN_SECRET_BYTES} and 1024 random bytes, got ${bytes}`);
  }
  return randomBytes(bytes).toString('base64url');
}

/**
 * Returns the secret stored in `file`, creating it with `create()` on first use. Surrounding whitespace is
 * not part of the secret (a PEM key may span lines; a hand-written file usually ends with a newline).
 *
 * The file is kept at 0600 inside a 0700 directory (looser modes found on disk are tightened), so only the
 * owner can read it. The directory should hold secrets only. Creation is atomic: the value is written to a
 * private temporary file and hard-linked into place, so a crash never leaves an empty or half-written
 * secret and two processes racing on first start end up with the same value.
 */
export async function readOrCreateSecretFile(file: string, create: () => string): Promise<string> {
  await ensurePrivateDirectory(dirname(file));
  const existing = await readPrivateFile(file);
  if (existing !== undefined) {
    return existing;
  }

  const value = create();
  if (value.trim() === '') {
    throw new Error(`Refusing to store an empty secret in ${file}`);
  }
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temporary, value, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  try {
    await link(temporary, file);
  } catch (error) {
    // Another process created it first: its value wins, ours is discarded.
    if (!hasErrorCode(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temporary);
  }

  const stored = await readPrivateFile(file);
  if (stored === undefined) {
    throw new Error(`Secret file ${file} disappeared right after it was created`);
  }
  return stored;
}

/**
 * The secret stored in `file`, or undefined when there is none: for a secret that must not be made up when
 * missing (a key that has to match what was encrypted with it). Modes are checked as by readOrCreateSecretFile.
 */
export async function readSecretFile(file: string): Promise<string | undefined> {
  return readPrivateFile(file);
}

async function ensurePrivateDirectory(directory: string): Promise<void> {
  // Only the secrets directory itself is private: its parents keep their usual modes.
  await mkdir(dirname(directory), { recursive: true });
  await mkdir(directory, { mode: PRIVATE_DIR_MODE }).catch((error: unknown) => {
    if (!hasErrorCode(error, 'EEXIST')) throw error;
  });
  const stats = await lstat(directory);
  if (!stats.isDirectory()) {
    throw new Error(`${directory} must be a directory to hold secrets`);
  }
  if ((stats.mode & GROUP_OR_OTHER_BITS) !== 0) {
    await chmod(directory, PRIVATE_DIR_MODE);
  }
}

/** The trimmed content of a private regular file, or undefined when there is no file yet. */
async function readPrivateFile(file: string): Promise<string | undefined> {
  let stats;
  try {
    stats = await lstat(file);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  // A symlink could point the secret at (or leak it into) a file we do not control.
  if (!stats.isFile()) {
    throw new Error(`Secret file ${file} must be a regular file`);
  }
  if ((stats.mode & GROUP_OR_OTHER_BITS) !== 0) {
    await chmod(file, PRIVATE_FILE_MODE);
  }
  const value = (await readFile(file, 'utf8')).trim();
  if (value === '') {
    throw new Error(`Secret file ${file} is empty: delete it to have a new secret generated`);
  }
  return value;
}

/** True when `error` is a Node system error with this `code`. Duck-typed: errors from jest's sandbox fail `instanceof`. */
function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
