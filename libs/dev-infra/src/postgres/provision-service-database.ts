import { DATABASE_SERVICES, type ServiceName } from '@runnerly/platform';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { scramSha256Verifier } from './scram-verifier';

/** One service's database and the only role that may use it. */
export interface ServiceDatabase {
  database: string;
  role: string;
  password: string;
}

/** Lower-case, unquoted-identifier-safe, at most 63 bytes (PostgreSQL's NAMEDATALEN - 1). */
export const SERVICE_DATABASE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
export const MIN_SERVICE_PASSWORD_LENGTH = 16;
const MAX_SERVICE_PASSWORD_LENGTH = 1024;
/** Printable ASCII, see `scramSha256Verifier` for why. */
const SERVICE_PASSWORD_PATTERN = /^[\x20-\x7e]+$/;

// Names that exist in every cluster or are reserved: provisioning them would alter the cluster itself.
const RESERVED_ROLES = new Set([
  'postgres',
  'public',
  'none',
  'current_role',
  'current_user',
  'session_user',
]);
const RESERVED_DATABASES = new Set(['postgres', 'template0', 'template1']);

/**
 * Creates or updates the database of one service, idempotently:
 * - a LOGIN role with no other power (NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS), whose
 *   password is set to `password` on every run;
 * - the database, owned by that role (so the role owns its `public` schema and can run migrations);
 * - CONNECT and TEMPORARY revoked from PUBLIC on it, so that no other role, in particular another service's,
 *   can even connect: database-per-service isolation.
 *
 * `superuserUrl` must name a role allowed to create roles and databases. Names are validated against
 * `SERVICE_DATABASE_NAME_PATTERN` before anything is sent to the server.
 */
export async function provisionServiceDatabase(
  superuserUrl: string,
  service: ServiceDatabase,
): Promise<void> {
  assertValidServiceDatabase(service);
  const role = escapeIdentifier(service.role);
  const database = escapeIdentifier(service.database);

  const client = new Client({ connectionString: superuserUrl, connectionTimeoutMillis: 10_000 });
  // Failures reach us through the pending query; without a listener, a connection lost between two
  // queries would be an unhandled 'error' event and crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const existing = await client.query<{ rolsuper: boolean }>(
      'SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = $1',
      [service.role],
    );
    if (existing.rows[0]?.rolsuper) {
      throw new Error(`Refusing to turn the superuser role "${service.role}" into a service role`);
    }

    // Utility statements take no bind parameters: the names are validated and quoted, and the password is
    // sent as its SCRAM verifier, never as plain text.
    await client.query(
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${escapeLiteral(service.role)}) THEN
           CREATE ROLE ${role};
         END IF;
       END $$`,
    );
    await client.query(
      `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS ` +
        `PASSWORD ${escapeLiteral(scramSha256Verifier(service.password))}`,
    );

    // CREATE DATABASE cannot run inside a DO block or a transaction, so the existence check is ours.
    const found = await client.query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [
      service.database,
    ]);
    if (found.rows.length === 0) {
      await client.query(`CREATE DATABASE ${database} OWNER ${role}`);
    }
    await client.query(`ALTER DATABASE ${database} OWNER TO ${role}`);
    await client.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${database} FROM PUBLIC`);
  } finally {
    await client.end();
  }
}

/** Throws on a name or password that provisioning would refuse; nothing is sent to any server. */
export function assertValidServiceDatabase(service: ServiceDatabase): void {
  assertName('database', service.database, RESERVED_DATABASES);
  assertName('role', service.role, RESERVED_ROLES);
  const { password } = service;
  if (
    typeof password !== 'string' ||
    password.length < MIN_SERVICE_PASSWORD_LENGTH ||
    password.length > MAX_SERVICE_PASSWORD_LENGTH ||
    !SERVICE_PASSWORD_PATTERN.test(password)
  ) {
    throw new Error(
      `The password of role "${service.role}" must be ${MIN_SERVICE_PASSWORD_LENGTH} to ` +
        `${MAX_SERVICE_PASSWORD_LENGTH} printable ASCII characters`,
    );
  }
}

function assertName(kind: 'database' | 'role', name: unknown, reserved: ReadonlySet<string>): void {
  if (typeof name !== 'string' || !SERVICE_DATABASE_NAME_PATTERN.test(name)) {
    throw new Error(
      `Invalid ${kind} name ${JSON.stringify(name)}: expected ${SERVICE_DATABASE_NAME_PATTERN}`,
    );
  }
  if (reserved.has(name) || name.startsWith('pg_')) {
    throw new Error(`The ${kind} name "${name}" is reserved by PostgreSQL`);
  }
}

/**
 * Provisions the database and role of every service of the manifest that owns one (`provisionServiceDatabase`,
 * named after the service), and returns each service's connection URL: the server of `superuserUrl`, as
 * that service's role, on its own database. `passwordOf` chooses each role's password.
 */
export async function provisionStackDatabases(
  superuserUrl: string,
  passwordOf: (service: ServiceName) => Promise<string> | string,
): Promise<Partial<Record<ServiceName, string>>> {
  const urls: Partial<Record<ServiceName, string>> = {};
  for (const service of DATABASE_SERVICES) {
    const password = await passwordOf(service);
    await provisionServiceDatabase(superuserUrl, { database: service, role: service, password });
    urls[service] = stackDatabaseUrl(superuserUrl, service, password);
  }
  return urls;
}

/** The URL of a service's database on a stack's server: its own role, its own database, both named after it. */
export function stackDatabaseUrl(serverUrl: string, service: ServiceName, password: string): string {
  const url = new URL(serverUrl);
  Object.assign(url, { username: service, password, pathname: `/${service}` });
  return url.href;
}
