import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrateCli } from '@runnerly/database';
import { createTestDatabase, type TestDatabase } from '@runnerly/testing';
import { RUNS_MIGRATIONS } from '../src/runs.module';

/**
 * `node migrate.js` of the runs image (src/migrate.ts: runMigrateCli with the runs migrations), as a migration
 * Job runs it before a rollout: on the service's own database, through its least-privilege role.
 */
/** Without the lock, some of them fail their CREATE TABLE, or a migration is recorded twice. */
const RUNS_TOGETHER = 4;
const MIGRATION_NAMES = RUNS_MIGRATIONS.map((migration) => migration.name);
const databases: TestDatabase[] = [];
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'runs-migrate-'));
});

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  await rm(folder, { recursive: true, force: true });
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase('runs_migrate');
  databases.push(db);
  return db;
}

async function migrate(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ status: number; errors: string }> {
  const errors: string[] = [];
  const status = await runMigrateCli('runs', RUNS_MIGRATIONS, {
    args,
    env,
    err: (line) => errors.push(line),
  });
  return { status, errors: errors.join('\n') };
}

/** The migrations table and every column of the public schema: what a run of the command may change. */
async function schemaOf(db: TestDatabase): Promise<unknown[]> {
  return [
    await db.query('SELECT id, timestamp, name FROM migrations ORDER BY id'),
    await db.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    ),
  ];
}

async function timesApplied(db: TestDatabase): Promise<Record<string, number>> {
  const rows = await db.query<{ name: string; times: number }>(
    'SELECT name, count(*)::int AS times FROM migrations GROUP BY name',
  );
  return Object.fromEntries(rows.map(({ name, times }) => [name, times]));
}

const once = Object.fromEntries(MIGRATION_NAMES.map((name) => [name, 1]));

it('applies every migration to an empty database, names them, and exits 0', async () => {
  const db = await emptyDatabase();

  const run = await migrate({ DATABASE_URL: db.url });

  expect(run).toEqual({
    status: 0,
    errors: `Applied ${MIGRATION_NAMES.length} migrations to the runs database: ${MIGRATION_NAMES.join(', ')}`,
  });
  expect(await timesApplied(db)).toEqual(once);
  const tables = await db.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  );
  expect(tables.map(({ name }) => name)).toEqual(
    expect.arrayContaining(['runs', 'erased_accounts', 'idempotency_keys']),
  );
}, 60_000);

it('says the database is up to date on a second run, and changes nothing', async () => {
  const db = await emptyDatabase();
  expect((await migrate({ DATABASE_URL: db.url })).status).toBe(0);
  const before = await schemaOf(db);

  const again = await migrate({ DATABASE_URL: db.url });

  expect(again).toEqual({ status: 0, errors: 'The runs database is up to date' });
  expect(await schemaOf(db)).toEqual(before);
}, 60_000);

it('applies each migration once when several runs start together: they take turns (an advisory lock)', async () => {
  const db = await emptyDatabase();

  const runs = await Promise.all(
    Array.from({ length: RUNS_TOGETHER }, () => migrate({ DATABASE_URL: db.url })),
  );

  expect(runs.map(({ status }) => status)).toEqual(Array(RUNS_TOGETHER).fill(0));
  expect(runs.map(({ errors }) => errors).sort()).toEqual([
    `Applied ${MIGRATION_NAMES.length} migrations to the runs database: ${MIGRATION_NAMES.join(', ')}`,
    ...Array(RUNS_TOGETHER - 1).fill('The runs database is up to date'),
  ]);
  expect(await timesApplied(db)).toEqual(once);
}, 60_000);

it('reads the URL from DATABASE_URL_FILE, as the migration Jobs give it', async () => {
  const db = await emptyDatabase();
  const file = join(folder, 'database_url');
  await writeFile(file, `${db.url}\n`, { mode: 0o600 });

  const run = await migrate({ DATABASE_URL_FILE: file });

  expect(run.status).toBe(0);
  expect(await timesApplied(db)).toEqual(once);
}, 60_000);

describe('a database it cannot reach', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await emptyDatabase();
  }, 60_000);

  it('exits 1 on a wrong password, and never prints the password', async () => {
    const url = new URL(db.url);
    url.password = 'Wrong-password-1234';

    const run = await migrate({ DATABASE_URL: url.toString() });

    expect(run.status).toBe(1);
    expect(run.errors).toContain('password authentication failed');
    expect(run.errors).not.toContain('Wrong-password-1234');
    expect(run.errors).not.toContain(new URL(db.url).password);
    expect(await db.query(`SELECT to_regclass('migrations') AS name`)).toEqual([{ name: null }]);
  }, 60_000);

  it('exits 1 when nothing answers at the address, and never prints the password', async () => {
    const url = new URL(db.url);
    url.host = '127.0.0.1:1';

    const run = await migrate({ DATABASE_URL: url.toString(), DATABASE_CONNECT_TIMEOUT_MS: '1000' });

    expect(run.status).toBe(1);
    expect(run.errors).toMatch(/ECONNREFUSED|timeout/);
    expect(run.errors).not.toContain(url.password);
  }, 60_000);

  it('refuses in production a database URL that does not verify the server, as the service does', async () => {
    const run = await migrate({ NODE_ENV: 'production', DATABASE_URL: db.url });

    expect(run.status).toBe(1);
    expect(run.errors).toContain('sslmode=verify-full');
    expect(await db.query(`SELECT to_regclass('migrations') AS name`)).toEqual([{ name: null }]);
  });

  it('exits 1 without a database URL, naming the variable', async () => {
    const run = await migrate({});

    expect(run.status).toBe(1);
    expect(run.errors).toContain('DATABASE_URL');
  });
});

it('prints its usage with --help, and refuses an argument it does not know', async () => {
  expect(await migrate({}, ['--help'])).toEqual({
    status: 0,
    errors: expect.stringContaining('Usage: node migrate.js'),
  });
  expect(await migrate({}, ['now'])).toMatchObject({ status: 2 });
});
