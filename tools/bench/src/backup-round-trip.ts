import { Client } from 'pg';
import { Readable } from 'node:stream';
import { backUpDatabase, restoreDatabaseBackup, verifyBackup } from '@runnerly/database';
import { BackupEncryption, generateSecret } from '@runnerly/security';

export interface BackupRoundTrip {
  rows: number;
  /** pg_database_size of the runs database, indexes included, before the backup. */
  databaseBytes: number;
  backupBytes: number;
  backupMs: number;
  verifyMs: number;
  restoreMs: number;
}

/**
 * `node backup.js create` then `restore` of the runs database filled with `rows` runs (a note on every third),
 * in process: the backup into memory, verified, then restored over the same database (the restore verifies once
 * more, and replaces every row in one transaction). The same code as the command, without the file system.
 */
export async function backupRoundTrip(databaseUrl: string, rows: number): Promise<BackupRoundTrip> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO runs (user_id, title, notes, distance_meters, duration_seconds, started_at)
       SELECT gen_random_uuid(), 'Morning run ' || n, CASE WHEN n % 3 = 0 THEN repeat('steady pace, ', 10) END,
              1000 + n % 40000, 300 + n % 10000, now() - n * interval '1 hour'
         FROM generate_series(1, $1::int) AS n`,
      [rows],
    );
    const size = await client.query<{ bytes: string }>(
      'SELECT pg_database_size(current_database()) AS bytes',
    );
    const target = { service: 'runs', databaseUrl };
    const encryption = BackupEncryption.fromKey(generateSecret());

    const backupStarted = performance.now();
    const pieces: Buffer[] = [];
    for await (const piece of backUpDatabase(target, encryption)) pieces.push(piece);
    const backup = Buffer.concat(pieces);
    const backupMs = performance.now() - backupStarted;
    const source = () => Readable.from([backup]);

    const verifyStarted = performance.now();
    await verifyBackup(source, encryption, 'runs');
    const verifyMs = performance.now() - verifyStarted;

    const restoreStarted = performance.now();
    const restored = await restoreDatabaseBackup(target, encryption, source);
    const restoreMs = performance.now() - restoreStarted;
    if (restored.rows < rows) throw new Error(`restored ${restored.rows} rows, expected ${rows} or more`);

    return {
      rows: restored.rows,
      databaseBytes: Number(size.rows[0]!.bytes),
      backupBytes: backup.length,
      backupMs,
      verifyMs,
      restoreMs,
    };
  } finally {
    await client.end();
  }
}
