import { randomBytes } from 'node:crypto';
import { provisionServiceDatabase } from '@runnerly/dev-infra';
import { Client } from 'pg';
import { TEST_ENV } from '@runnerly/security/testing';

export interface TestDatabase {
  /** URL for the service under test: its own database, through a least-privilege role. */
  url: string;
  /** Superuser URL of the same database, for a test to inspect what the service stored. */
  adminUrl: string;
  /** Runs one SQL statement as the superuser and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test suite, provisioned like production (its own role, CONNECT revoked from
 * everyone else), on the PostgreSQL chosen by the global setup.
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const serverUrl = process.env[TEST_ENV.postgresUrl];
  if (!serverUrl)
    throw new Error(
      `${TEST_ENV.postgresUrl} is not set: is the jest global setup of @runnerly/testing configured?`,
    );

  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(24).toString('base64url');
  await provisionServiceDatabase(serverUrl, { database: name, role: name, password });

  const url = withCredentials(serverUrl, name, name, password);
  const adminUrl = withDatabase(serverUrl, name);
  return {
    url,
    adminUrl,
    query: (sql, values) => queryOnce(adminUrl, sql, values),
    drop: async () => {
      await queryOnce(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await queryOnce(serverUrl, `DROP ROLE IF EXISTS "${name}"`);
    },
  };
}

async function queryOnce<Row>(url: string, sql: string, values?: unknown[]): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function withCredentials(serverUrl: string, database: string, role: string, password: string): string {
  const url = new URL(withDatabase(serverUrl, database));
  url.username = role;
  url.password = password;
  return url.toString();
}
