import { pipeline, Readable, type Transform } from 'node:stream';
import { constants, createGunzip, createGzip } from 'node:zlib';
import { Client } from 'pg';
import { type BackupDescription, type BackupEncryption } from '@runnerly/security';
import {
  dumpDatabase,
  linesOf,
  type RestoredDatabase,
  restoreDatabase,
  RestoreRefusedError,
} from './database-dump';

/** The fastest level: most of gzip's gain on JSON lines, at a fraction of the default level's CPU. */
const GZIP = { level: constants.Z_BEST_SPEED };

/** One service's database: the backup and the restore both connect as the service's own role. */
export interface ServiceDatabaseTarget {
  service: string;
  databaseUrl: string;
}

/** A backup file, read from its start each time it is called: a restore reads it twice. */
export type BackupSource = () => AsyncIterable<Buffer>;

/** The encrypted backup of the service's database, as the pieces of a file. */
export async function* backUpDatabase(
  target: ServiceDatabaseTarget,
  encryption: BackupEncryption,
): AsyncGenerator<Buffer> {
  const client = await connect(target);
  try {
    // Compressed before it is sealed (sealed data does not compress): JSON lines shrink to about a fifth.
    yield* encryption.seal(target.service, through(dumpDatabase(client, target.service), createGzip(GZIP)));
  } finally {
    await client.end();
  }
}

/**
 * Reads a whole backup and checks every part of it (key, service, integrity, completeness) without connecting
 * to any database; returns its description.
 */
export async function verifyBackup(
  source: BackupSource,
  encryption: BackupEncryption,
  service: string,
): Promise<BackupDescription> {
  const { description, content } = await encryption.open(source());
  assertBackupOf(description, service);
  for await (const piece of decompressed(content)) void piece;
  return description;
}

/**
 * Restores a backup into the service's database. The whole file is verified first; only then does the restore
 * connect, and it writes in one transaction that commits once every row is in. A backup that is tampered with,
 * made with another key or for another service, or cut short changes nothing.
 */
export async function restoreDatabaseBackup(
  target: ServiceDatabaseTarget,
  encryption: BackupEncryption,
  source: BackupSource,
): Promise<RestoredDatabase> {
  await verifyBackup(source, encryption, target.service);
  // Read again, and checked again as it is read: the file could have changed since the first reading.
  const { description, content } = await encryption.open(source());
  assertBackupOf(description, target.service);
  const client = await connect(target);
  try {
    return await restoreDatabase(client, target.service, linesOf(decompressed(content)));
  } finally {
    await client.end();
  }
}

function decompressed(content: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  return through(content, createGunzip());
}

/**
 * `source` through a transform, read as one stream. pipeline(), unlike pipe(), destroys the transform with the
 * source's error (a frame that fails to open, a query that fails), so whoever reads the result gets that error
 * instead of waiting forever; the callback has nothing left to do.
 */
function through(source: AsyncIterable<Buffer | string>, transform: Transform): AsyncIterable<Buffer> {
  return pipeline(Readable.from(source), transform, () => undefined);
}

function assertBackupOf(description: BackupDescription, service: string): void {
  if (description.service !== service) {
    throw new RestoreRefusedError(`this is a backup of ${description.service}, not of ${service}`);
  }
}

async function connect(target: ServiceDatabaseTarget): Promise<Client> {
  const client = new Client({
    connectionString: target.databaseUrl,
    application_name: `runnerly-${target.service}-backup`,
    connectionTimeoutMillis: 10_000,
  });
  // Failures reach us through the pending query; a connection lost between two queries must not crash.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
