import { createWriteStream } from 'node:fs';
import { link, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes a backup to `file`: under a temporary name first, linked to `file` once complete, so a failed backup
 * never leaves a file that looks like one; never over an existing file; readable by its owner only.
 */
export async function writeBackupFile(backup: AsyncIterable<Buffer>, file: string): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await pipeline(Readable.from(backup), createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
    await link(partial, file); // unlike rename, refuses to replace an existing file
  } finally {
    await rm(partial, { force: true });
  }
}
