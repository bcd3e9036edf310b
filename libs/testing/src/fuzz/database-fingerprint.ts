import { Client, escapeIdentifier } from 'pg';
import { type TestDatabase } from '../test-database';

/** Per table, its row count and a checksum of every row. */
export type TableFingerprints = Record<string, string>;

/**
 * Reads the row count and an md5 over all rows of some tables of a test database, in one statement on
 * one kept connection (a fuzz property takes two per request), to prove that a refused request changed
 * nothing.
 */
export class DatabaseFingerprint {
  private constructor(
    private readonly client: Client,
    private readonly sql: string,
  ) {}

  static async open(db: TestDatabase, tables: readonly string[]): Promise<DatabaseFingerprint> {
    const columns = tables.map((table) => {
      const name = escapeIdentifier(table);
      const checksum = `coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '')`;
      return `(SELECT count(*) || ':' || ${checksum} FROM ${name} t) AS ${name}`;
    });
    const client = new Client({ connectionString: db.adminUrl });
    await client.connect();
    return new DatabaseFingerprint(client, `SELECT ${columns.join(', ')}`);
  }

  async take(): Promise<TableFingerprints> {
    const { rows } = await this.client.query<TableFingerprints>(this.sql);
    return rows[0]!;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
