import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type BackupCliIo, restoreDatabaseBackup, runBackupCli } from '@runnerly/database';
import { BackupEncryption } from '@runnerly/security';
import { createTestDatabase, DatabaseFingerprint, type TableFingerprints } from '@runnerly/testing';
import { PASSWORD, UsersTestApp } from './support/users-test-app';

/**
 * `node backup.js` of the users image (runBackupCli), on a users database filled through the API: accounts,
 * sessions, refresh tokens, a second factor with its sealed secret and recovery codes.
 */
let users: UsersTestApp;
let fingerprint: DatabaseFingerprint;
let folder: string;
const KEY = randomBytes(32).toString('base64url');

beforeAll(async () => {
  users = await UsersTestApp.start();
  const enrolled = await users.registerAndLogin();
  await users.turnOnSecondFactor(enrolled);
  for (let i = 0; i < 3; i += 1) await users.registerAndLogin();
  const tables = await users.db.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  );
  fingerprint = await DatabaseFingerprint.open(
    users.db,
    tables.map((table) => table.name),
  );
  folder = await mkdtemp(join(tmpdir(), 'users-backup-'));
}, 60_000);

afterAll(async () => {
  await fingerprint?.close();
  await users?.close();
});

interface CliRun {
  status: number;
  stdout: Buffer;
  errors: string;
}

/** The command as the users container runs it: the service's database URL, a backup key, its name. */
async function backupCli(
  args: string[],
  options: { env?: Record<string, string>; stdin?: Buffer } = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const output: Buffer[] = [];
  stdout.on('data', (piece: Buffer) => output.push(piece));
  const errors: string[] = [];
  const io: BackupCliIo = {
    env: { DATABASE_URL: users.db.url, BACKUP_KEY: KEY, RUNNERLY_SERVICE: 'users', ...options.env },
    stdin: Readable.from(options.stdin ? [options.stdin] : []),
    stdout,
    err: (line) => errors.push(line),
  };
  const status = await runBackupCli(args, io);
  return { status, stdout: Buffer.concat(output), errors: errors.join('\n') };
}

async function collect(pieces: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const piece of pieces) all.push(piece);
  return Buffer.concat(all);
}

async function backupFile(name: string, env: Record<string, string> = {}): Promise<string> {
  const file = join(folder, name);
  const run = await backupCli(['create', '--out', file], { env });
  expect(run).toMatchObject({ status: 0, errors: expect.stringContaining(`Backup of`) });
  return file;
}

/** Something happens after the backup: a new account, one that signs in. */
async function changeTheData(): Promise<TableFingerprints> {
  await users.registerAndLogin();
  return fingerprint.take();
}

describe('backup and restore of the users database', () => {
  it('brings back exactly the rows of the backup, and the accounts in it work again', async () => {
    const before = await fingerprint.take();
    const [someone] = await users.db.query<{ email: string }>(`SELECT email FROM accounts LIMIT 1`);
    const file = await backupFile('round-trip.backup');
    const later = await users.register();

    const run = await backupCli(['restore', file]);

    expect(run).toMatchObject({
      status: 0,
      errors: expect.stringMatching(/^Restored \d+ rows in \d+ tables of users$/),
    });
    expect(await fingerprint.take()).toEqual(before);
    expect((await users.post('/auth/login', { email: someone!.email, password: PASSWORD })).statusCode).toBe(
      200,
    );
    expect((await users.post('/auth/login', { email: later.email, password: PASSWORD })).statusCode).toBe(
      401,
    );
  }, 60_000);

  it('writes a file only its owner can read, in which no account data shows', async () => {
    const file = await backupFile('private.backup');
    const content = await readFile(file);
    const [someone] = await users.db.query<{ email: string }>(`SELECT email FROM accounts LIMIT 1`);

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(content.includes(someone!.email)).toBe(false);
    expect(content.includes('argon2id')).toBe(false);
  });

  it('writes to standard output, so a container can stream its backup out, and never over an existing file', async () => {
    const streamed = await backupCli(['create']);
    const file = join(folder, 'streamed.backup');
    await writeFile(file, streamed.stdout);

    expect(streamed.status).toBe(0);
    expect(streamed.stdout.subarray(0, 18).toString()).toBe('RUNNERLY-BACKUP 1\n');
    expect(await backupCli(['verify', file])).toMatchObject({
      status: 0,
      errors: expect.stringContaining('is intact'),
    });
    expect(await backupCli(['create', '--out', file])).toMatchObject({
      status: 1,
      errors: expect.stringContaining('EEXIST'),
    });
  });

  it('verifies a backup without connecting to the database', async () => {
    const file = await backupFile('verify-only.backup');

    const run = await backupCli(['verify', file], {
      env: { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' },
    });

    expect(run).toMatchObject({
      status: 0,
      errors: expect.stringMatching(/^The backup of users made .+ is intact$/),
    });
  });

  describe('refuses, and leaves the database exactly as it was,', () => {
    let good: string;
    beforeAll(async () => {
      good = await backupFile('good.backup');
    });

    /** The data changes after the backup, then `run` tries to restore it. */
    async function expectRefused(run: () => Promise<CliRun>, reason: string): Promise<void> {
      const current = await changeTheData();
      expect(await run()).toMatchObject({ status: 1, errors: expect.stringContaining(reason) });
      expect(await fingerprint.take()).toEqual(current);
    }

    it('a backup with one byte changed', async () => {
      const bytes = await readFile(good);
      bytes[bytes.length - 100] ^= 0x01;
      const tampered = join(folder, 'tampered.backup');
      await writeFile(tampered, bytes);

      await expectRefused(
        () => backupCli(['restore', tampered]),
        'The backup cannot be opened: it was altered or damaged',
      );
    });

    it('a backup made with another key', async () => {
      const otherKey = randomBytes(32).toString('base64url');
      const other = await backupFile('other-key.backup', { BACKUP_KEY: otherKey });

      await expectRefused(() => backupCli(['restore', other]), 'it was made with the key');
    });

    it('a backup cut short, read from standard input', async () => {
      const bytes = await readFile(good);

      await expectRefused(
        () => backupCli(['restore', '-'], { stdin: bytes.subarray(0, bytes.length - 10) }),
        'it is cut short',
      );
    });

    it('a backup that opens but does not add up, after its rows were written in the transaction', async () => {
      // Sealed with the right key, so only the restore's own checks stand between it and the database.
      const encryption = BackupEncryption.fromKey(KEY);
      const { content } = await encryption.open(Readable.from([await readFile(good)]));
      const lines = gunzipSync(await collect(content))
        .toString()
        .trimEnd()
        .split('\n');
      lines[lines.length - 1] = JSON.stringify({ end: true, rows: 1_000_000 });
      const crafted = join(folder, 'crafted.backup');
      const sealed = encryption.seal('users', [gzipSync(`${lines.join('\n')}\n`)]);
      await writeFile(crafted, await collect(sealed));

      await expectRefused(
        () => backupCli(['restore', crafted]),
        'Restore refused: the row counts do not add up',
      );
    });

    it('a backup file changed between its check and its restore (read twice, checked both times)', async () => {
      const bytes = await readFile(good);
      const changed = Buffer.from(bytes);
      changed[changed.length - 100] ^= 0x01;
      let reads = 0;
      const source = () => Readable.from([reads++ === 0 ? bytes : changed]);
      const target = { service: 'users', databaseUrl: users.db.url };

      await expectRefused(
        () =>
          restoreDatabaseBackup(target, BackupEncryption.fromKey(KEY), source).then(
            () => ({ status: 0, stdout: Buffer.alloc(0), errors: '' }),
            (error: Error) => ({ status: 1, stdout: Buffer.alloc(0), errors: error.message }),
          ),
        'it was altered or damaged',
      );
      expect(reads).toBe(2);
    });

    it('a backup of another service', async () => {
      const runs = await backupFile('runs.backup', { RUNNERLY_SERVICE: 'runs' });

      await expectRefused(() => backupCli(['restore', runs]), 'this is a backup of runs, not of users');
    });
  });

  it('refuses a database whose schema was never created, naming what to do', async () => {
    const file = await backupFile('to-an-empty-database.backup');
    const empty = await createTestDatabase('users_empty');
    try {
      const run = await backupCli(['restore', file], { env: { DATABASE_URL: empty.url } });

      expect(run).toMatchObject({
        status: 1,
        errors: expect.stringContaining('the database has no migrations applied: start users once'),
      });
      expect(await empty.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).toEqual([]);
    } finally {
      await empty.drop();
    }
  });

  it('refuses to run with a key that is not 32 random bytes, without printing it', async () => {
    const run = await backupCli(['create'], { env: { BACKUP_KEY: 'short-and-guessable' } });

    expect(run.status).toBe(1);
    expect(run.errors).toContain('BACKUP_KEY: A backup key must be 32 random bytes');
    expect(run.errors).not.toContain('short-and-guessable');
  });
});
