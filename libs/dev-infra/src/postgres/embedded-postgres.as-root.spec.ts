import { execFile } from 'node:child_process';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { WORKSPACE_ROOT } from '../build/ensure-built';
import { freePort, makeTempDir } from '../testing/test-helpers';
import { EmbeddedPostgresServer } from './embedded-postgres.server';
import { isRunningAsRoot } from './postgres-system-user';

// Run as root, PostgreSQL runs as the `postgres` account, and a clone in a folder other accounts cannot enter
// (under /root, or a `mktemp -d` folder) keeps that account from PostgreSQL's own binaries. Here the binaries
// of the platform package are a copy inside such a 0700 folder: embedded-postgres, and the server's
// check before it, import them from there (lazily, at the first start), as from a clone under /root.
const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;
const copy = promisify(execFile);

let closed: string;
let native: string;
let dataRoot: string;

jest.unstable_mockModule(PLATFORM_PACKAGE, () => ({
  initdb: join(native, 'bin', 'initdb'),
  postgres: join(native, 'bin', 'postgres'),
  pg_ctl: join(native, 'bin', 'pg_ctl'),
}));

const asRoot = isRunningAsRoot() ? describe : describe.skip;

asRoot('EmbeddedPostgresServer run as root, from a folder other accounts cannot enter', () => {
  jest.setTimeout(120_000);

  beforeAll(async () => {
    closed = await makeTempDir('closed-clone');
    await chmod(closed, 0o700);
    native = join(closed, 'native');
    await copy('cp', ['-a', join(WORKSPACE_ROOT, 'node_modules', PLATFORM_PACKAGE, 'native'), native]);
    dataRoot = await makeTempDir('closed-clone-data');
  });

  afterAll(async () => {
    await rm(closed, { recursive: true, force: true });
    await rm(dataRoot, { recursive: true, force: true });
  });

  const newServer = async (name: string, logged: string[]) => {
    await mkdir(join(dataRoot, name));
    return new EmbeddedPostgresServer({
      dataDir: join(dataRoot, name, 'postgres'),
      port: await freePort(),
      log: (line) => logged.push(line),
    });
  };

  it('opens the folder to the postgres account (o+x, not o+r), says so, and starts', async () => {
    const logged: string[] = [];
    const server = await newServer('opened', logged);
    try {
      await server.start();
      expect(server.isRunning).toBe(true);
      expect((await stat(closed)).mode & 0o777).toBe(0o701);
      expect(logged).toContain(
        `Made ${closed} traversable by other users (o+x) so that the postgres account can reach its data`,
      );
    } finally {
      await server.stop();
    }
  });

  it('stops at once, saying what to do, when the postgres account still cannot run them (a 0700 binary)', async () => {
    const initdb = join(native, 'bin', 'initdb');
    await chmod(initdb, 0o700);
    const server = await newServer('unrunnable', []);
    const started = Date.now();
    try {
      await expect(server.start()).rejects.toThrow(
        `PostgreSQL refuses to run as root, so it runs as the "postgres" account, and that account cannot run ${initdb} (EACCES). ` +
          `Either run as a regular user, or let other users read and run PostgreSQL's files (chmod -R o+rX ${native}), ` +
          'or use a PostgreSQL of your own (DATABASE_URL for the tests; USERS_DATABASE_URL and RUNS_DATABASE_URL for npm start).',
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(server.isRunning).toBe(false);
    } finally {
      await chmod(initdb, 0o755);
    }
  });
});
