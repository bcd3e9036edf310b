import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSecret } from '@runnerly/security/secrets';
import { connectionError, freePort, makeTempDir, queryOnce } from '../testing/test-helpers';
import { EmbeddedPostgresServer } from './embedded-postgres.server';
import {
  provisionServiceDatabase,
  provisionStackDatabases,
  type ServiceDatabase,
} from './provision-service-database';

jest.setTimeout(120_000);

describe('provisionServiceDatabase', () => {
  let root: string;
  let server: EmbeddedPostgresServer;
  let superuserUrl: string;
  const serverLog: string[] = [];
  const users: ServiceDatabase = { database: 'users', role: 'users', password: generateSecret() };
  const runs: ServiceDatabase = { database: 'runs', role: 'runs_service', password: generateSecret() };

  /** The URL a service would be configured with. */
  const serviceUrl = (service: ServiceDatabase, database = service.database, password = service.password) => {
    const url = new URL(superuserUrl);
    url.username = service.role;
    url.password = password;
    url.pathname = `/${database}`;
    return url.href;
  };

  beforeAll(async () => {
    root = await makeTempDir('provision');
    server = new EmbeddedPostgresServer({
      dataDir: join(root, 'postgres'),
      port: await freePort(),
      log: (line) => serverLog.push(line),
    });
    superuserUrl = await server.start();
    // Log every statement, so that the test below can check what reached the server.
    await queryOnce(superuserUrl, `ALTER SYSTEM SET log_statement = 'all'`);
    await queryOnce(superuserUrl, 'SELECT pg_reload_conf()');
    // The launcher provisions all services at once.
    await Promise.all([
      provisionServiceDatabase(superuserUrl, users),
      provisionServiceDatabase(superuserUrl, runs),
    ]);
  });

  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['users', users],
    ['runs', runs],
  ])('lets the %s role connect to its own database and create tables there', async (_, service) => {
    const url = serviceUrl(service);

    await queryOnce(url, 'CREATE TABLE owned_by_service (id int PRIMARY KEY)');
    await queryOnce(url, 'INSERT INTO owned_by_service VALUES (1)');

    expect(await queryOnce(url, 'SELECT current_user AS role, current_database() AS database')).toEqual([
      { role: service.role, database: service.database },
    ]);
  });

  it.each([
    ['users', users, runs],
    ['runs', runs, users],
  ])("refuses the %s role a connection to the other service's database", async (_, service, other) => {
    const error = await connectionError(serviceUrl(service, other.database));

    expect(error?.code).toBe('42501'); // insufficient_privilege
    expect(error?.message).toBe(`permission denied for database "${other.database}"`);
  });

  it('gives the service roles no power beyond logging in', async () => {
    const roles = await queryOnce(
      superuserUrl,
      `SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls
         FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [[users.role, runs.role]],
    );
    const onlyLogin = { rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false };
    expect(roles).toEqual([
      { rolname: 'runs_service', ...onlyLogin, rolreplication: false, rolbypassrls: false },
      { rolname: 'users', ...onlyLogin, rolreplication: false, rolbypassrls: false },
    ]);
  });

  it('leaves PUBLIC no privilege on the service databases; each belongs to its role', async () => {
    const databases = await queryOnce(
      superuserUrl,
      `SELECT datname, pg_get_userbyid(datdba) AS owner, datacl::text[] AS acl
         FROM pg_database WHERE datname = ANY($1) ORDER BY datname`,
      [[users.database, runs.database]],
    );

    expect(databases).toEqual([
      { datname: 'runs', owner: 'runs_service', acl: ['runs_service=CTc/runs_service'] },
      { datname: 'users', owner: 'users', acl: ['users=CTc/users'] },
    ]);
  });

  it('stores passwords as SCRAM verifiers and never sends one in plain text', async () => {
    const [stored] = await queryOnce<{ rolpassword: string }>(
      superuserUrl,
      'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
      [users.role],
    );

    expect(stored?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(serverLog.some((line) => line.includes('ALTER ROLE "users"'))).toBe(true); // statements are logged
    expect(serverLog.filter((line) => line.includes(users.password) || line.includes(runs.password))).toEqual(
      [],
    );
  });

  it('is idempotent: a re-run keeps the data and replaces the password', async () => {
    const newPassword = generateSecret();
    await provisionServiceDatabase(superuserUrl, { ...users, password: newPassword });
    await provisionServiceDatabase(superuserUrl, { ...users, password: newPassword });

    expect((await connectionError(serviceUrl(users)))?.code).toBe('28P01'); // the old password: invalid_password
    expect(
      await queryOnce(serviceUrl(users, users.database, newPassword), 'SELECT id FROM owned_by_service'),
    ).toEqual([{ id: 1 }]);
  });

  it('refuses to turn an existing superuser into a service role', async () => {
    await queryOnce(superuserUrl, 'CREATE ROLE ops_admin SUPERUSER');

    await expect(
      provisionServiceDatabase(superuserUrl, {
        database: 'ops',
        role: 'ops_admin',
        password: generateSecret(),
      }),
    ).rejects.toThrow('Refusing to turn the superuser role "ops_admin" into a service role');
    expect(
      await queryOnce(superuserUrl, `SELECT rolsuper FROM pg_roles WHERE rolname = 'ops_admin'`),
    ).toEqual([{ rolsuper: true }]);
  });

  // Nothing listens on port 1: a validation error proves the input was refused before any connection.
  const unreachable = 'postgresql://postgres:unused@127.0.0.1:1/postgres';
  const strongPassword = 'a-strong-enough-password';

  // database, role, password -> the refusal
  it.each<[string, string, string, RegExp]>([
    ['Users', 'users', strongPassword, /Invalid database name "Users"/],
    ['users', 'users"; DROP ROLE postgres; --', strongPassword, /Invalid role name/],
    ['my-db', 'users', strongPassword, /Invalid database name/],
    ['1users', 'users', strongPassword, /Invalid database name/],
    ['users', '', strongPassword, /Invalid role name ""/],
    ['a'.repeat(64), 'users', strongPassword, /Invalid database name/],
    ['template1', 'users', strongPassword, /database name "template1" is reserved/],
    ['users', 'postgres', strongPassword, /role name "postgres" is reserved/],
    ['users', 'pg_monitor', strongPassword, /role name "pg_monitor" is reserved/],
    ['users', 'users', 'too-short', /16 to 1024 printable ASCII characters/],
    ['users', 'users', 'pässwörd-pässwörd', /16 to 1024 printable ASCII characters/],
  ])(
    'rejects database %p, role %p, password %p before sending any SQL',
    async (database, role, password, refusal) => {
      await expect(provisionServiceDatabase(unreachable, { database, role, password })).rejects.toThrow(
        refusal,
      );
    },
  );

  it('accepts the longest valid name (63 characters)', async () => {
    const longest: ServiceDatabase = {
      database: `s${'x'.repeat(62)}`,
      role: `r${'x'.repeat(62)}`,
      password: strongPassword,
    };
    await provisionServiceDatabase(superuserUrl, longest);

    expect(await queryOnce(serviceUrl(longest), 'SELECT current_database() AS name')).toEqual([
      { name: longest.database },
    ]);
  });

  // Last: it hands the `runs` database to a role named `runs`, which the tests above do not expect.
  it('provisions every service of the manifest that owns a database, and returns URLs that connect as its role', async () => {
    const urls = await provisionStackDatabases(superuserUrl, () => generateSecret());

    expect(Object.keys(urls)).toEqual(['users', 'runs']);
    for (const [service, url] of Object.entries(urls))
      expect(await queryOnce(url, 'SELECT current_user AS role, current_database() AS database')).toEqual([
        { role: service, database: service },
      ]);
  });
});
