import { createReadStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { IsString, Matches } from 'class-validator';
import { BackupEncryption, IsBackupKey, loadConfig, Secret } from '@runnerly/security';
import { type BackupSource, backUpDatabase, restoreDatabaseBackup, verifyBackup } from './database-backup';
import { writeBackupFile } from './backup-file';

/**
 * What the backup command reads, from the service's own environment (a container's included): its database,
 * the backup key, and its name. `*_FILE` variants work as for every service variable.
 */
class BackupConfig {
  @Secret({ kind: 'url-password' })
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  /** 32 random bytes in base64url, kept apart from the backups: whoever holds both can read them. */
  @Secret()
  @IsBackupKey()
  BACKUP_KEY!: string;

  /** Set in every service image; a backup is restored into the service that made it only. */
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, { message: 'RUNNERLY_SERVICE must name a service' })
  RUNNERLY_SERVICE!: string;
}

export interface BackupCliIo {
  env: NodeJS.ProcessEnv;
  stdin: AsyncIterable<Buffer>;
  stdout: Writable & { isTTY?: boolean };
  err: (line: string) => void;
}

const USAGE = `Usage: node backup.js <command>

  create [--out <file>]
      Writes an encrypted backup of this service's database to the file, or to standard output.
  verify <file | ->
      Checks a backup (key, service, every byte, completeness) without touching the database.
  restore <file | ->
      Verifies the backup, then replaces the database's content with it, in one transaction.
      The database must be at the migrations the backup was made at. From standard input (-),
      the backup is held in memory to be read twice: give a file for a large one.

Reads DATABASE_URL, BACKUP_KEY and RUNNERLY_SERVICE (or DATABASE_URL_FILE and BACKUP_KEY_FILE).`;

/** `node backup.js …` in a service image. Returns the exit status; messages go to `err`, never a secret. */
export async function runBackupCli(args: readonly string[], io: BackupCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { out: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: true,
    strict: false,
  });
  const [command, file, ...extra] = positionals;
  if (values.help || command === undefined || extra.length > 0) {
    io.err(USAGE);
    return values.help ? 0 : 2;
  }

  try {
    const config = loadConfig(BackupConfig, io.env);
    const encryption = BackupEncryption.fromKey(config.BACKUP_KEY);
    const target = { service: config.RUNNERLY_SERVICE, databaseUrl: config.DATABASE_URL };
    const out = typeof values.out === 'string' ? values.out : undefined;

    if (command === 'create' && file === undefined) {
      await writeBackup(backUpDatabase(target, encryption), out, io);
      io.err(`Backup of ${target.service} written${out ? ` to ${out}` : ''} (key ${encryption.keyId})`);
      return 0;
    }
    if ((command === 'verify' || command === 'restore') && file !== undefined && out === undefined) {
      const source = await backupSource(file, io);
      if (command === 'verify') {
        const description = await verifyBackup(source, encryption, target.service);
        io.err(`The backup of ${description.service} made ${description.createdAt} is intact`);
        return 0;
      }
      const restored = await restoreDatabaseBackup(target, encryption, source);
      io.err(`Restored ${restored.rows} rows in ${restored.tables} tables of ${target.service}`);
      return 0;
    }
    io.err(USAGE);
    return 2;
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

/** To standard output (a container streams its backup out), or to a file. */
async function writeBackup(
  backup: AsyncGenerator<Buffer>,
  out: string | undefined,
  io: BackupCliIo,
): Promise<void> {
  if (out !== undefined) return writeBackupFile(backup, out);
  if (io.stdout.isTTY) throw new Error('A backup is binary: redirect standard output or give --out <file>');
  await pipeline(Readable.from(backup), io.stdout, { end: false });
}

async function backupSource(file: string, io: BackupCliIo): Promise<BackupSource> {
  if (file !== '-') return () => createReadStream(file);
  const pieces: Buffer[] = [];
  for await (const piece of io.stdin) pieces.push(piece);
  const whole = Buffer.concat(pieces);
  return () => Readable.from([whole]);
}
