import { type Client, escapeIdentifier } from 'pg';

/**
 * A logical dump of one service's database, as lines of JSON, written and read in Node: the embedded
 * PostgreSQL of `npm start` ships no pg_dump, and the service images carry none either.
 *
 * The schema is not in the dump: it belongs to the migrations, so a dump records which migrations had run, and
 * restores only into a database migrated to exactly those. The data is read by PostgreSQL itself
 * (`row_to_json`) and written back by it (`json_populate_recordset`), so every type keeps its exact value
 * (numerics, bytea, timestamps with their microseconds) without passing through JavaScript numbers or dates.
 *
 * Lines: a header naming the migrations and the tables in restore order, then per table a line with its
 * name, columns and row count followed by one line per row, then an end line with the total.
 */
const FORMAT = 'runnerly-database-dump';
const VERSION = 1;
/** TypeORM's record of the migrations that ran; compared, never copied. */
const MIGRATIONS_TABLE = 'migrations';
const ROWS_PER_FETCH = 500;
const ROWS_PER_INSERT = 500;

interface DumpHeader {
  format: typeof FORMAT;
  version: typeof VERSION;
  service: string;
  migrations: string[];
  /** Parents before children: rows are inserted in this order, so every foreign key finds its row. */
  tables: string[];
  /** Where each sequence stands (null: never used), so new rows do not collide with restored ones. */
  sequences: Record<string, string | null>;
}

interface TableHeader {
  table: string;
  columns: string[];
  rows: number;
}

interface DumpEnd {
  end: true;
  rows: number;
}

/** What a restore wrote. */
export interface RestoredDatabase {
  tables: number;
  rows: number;
}

/** A dump that does not fit the database it is restored into; nothing was written. */
export class RestoreRefusedError extends Error {
  constructor(reason: string) {
    super(`Restore refused: ${reason}`);
    this.name = 'RestoreRefusedError';
  }
}

/**
 * The dump of the database `client` is connected to, in pieces of whole lines. Everything is read in one
 * read-only REPEATABLE READ transaction: one consistent snapshot, while the service keeps running.
 */
export async function* dumpDatabase(client: Client, service: string): AsyncGenerator<string> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const header: DumpHeader = {
      format: FORMAT,
      version: VERSION,
      service,
      migrations: await appliedMigrations(client),
      tables: await tablesInRestoreOrder(client),
      sequences: await sequencePositions(client),
    };
    yield line(header);

    let total = 0;
    for (const table of header.tables) {
      const columns = await columnsOf(client, table);
      const { rows } = await client.query<{ count: string }>(
        `SELECT count(*) FROM ${escapeIdentifier(table)}`,
      );
      const tableHeader: TableHeader = { table, columns, rows: Number(rows[0].count) };
      yield line(tableHeader);
      // A cursor, so a large table streams instead of filling the memory.
      const cursor = escapeIdentifier(`dump_${table}`);
      const list = columns.map(escapeIdentifier).join(', ');
      await client.query(
        `DECLARE ${cursor} NO SCROLL CURSOR FOR ` +
          `SELECT row_to_json(r)::text AS row FROM (SELECT ${list} FROM ${escapeIdentifier(table)}) r`,
      );
      for (;;) {
        const batch = await client.query<{ row: string }>(`FETCH ${ROWS_PER_FETCH} FROM ${cursor}`);
        // One piece per batch, not per row: each piece costs a trip through the compression stream.
        if (batch.rows.length > 0) yield batch.rows.map(({ row }) => `${row}\n`).join('');
        total += batch.rows.length;
        if (batch.rows.length < ROWS_PER_FETCH) break;
      }
      await client.query(`CLOSE ${cursor}`);
    }
    const end: DumpEnd = { end: true, rows: total };
    yield line(end);
  } finally {
    await client.query('ROLLBACK');
  }
}

/**
 * Restores a dump into the database `client` is connected to, in one transaction: the tables are emptied and
 * refilled, and the transaction commits only once the whole dump was read and every count matched. A dump that
 * is cut, altered (the lines come from an authenticated stream that throws) or made for another schema leaves
 * the database exactly as it was.
 */
export async function restoreDatabase(
  client: Client,
  service: string,
  dump: AsyncIterable<string>,
): Promise<RestoredDatabase> {
  const lines = dump[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const item = await lines.next();
    if (item.done) throw new RestoreRefusedError('the dump ends too early');
    return item.value;
  };

  const header = parseLine<DumpHeader>(await next());
  if (header.format !== FORMAT || header.version !== VERSION) {
    throw new RestoreRefusedError(`not a ${FORMAT} of version ${VERSION}`);
  }
  if (header.service !== service) {
    throw new RestoreRefusedError(`this is a dump of ${header.service}, not of ${service}`);
  }

  await client.query('BEGIN');
  try {
    await assertSameSchema(client, header);
    const tables = header.tables.map(escapeIdentifier).join(', ');
    // No one reads the half-restored tables, and TRUNCATE of all of them at once satisfies the foreign keys.
    if (tables !== '') await client.query(`LOCK TABLE ${tables} IN ACCESS EXCLUSIVE MODE`);
    if (tables !== '') await client.query(`TRUNCATE ${tables}`);

    let total = 0;
    for (const table of header.tables) {
      const tableHeader = parseLine<TableHeader>(await next());
      if (tableHeader.table !== table)
        throw new RestoreRefusedError(`table ${table} is missing from the dump`);
      await assertSameColumns(client, tableHeader);
      const columns = tableHeader.columns.map(escapeIdentifier).join(', ');
      const insert =
        `INSERT INTO ${escapeIdentifier(table)} (${columns}) OVERRIDING SYSTEM VALUE ` +
        `SELECT ${columns} FROM json_populate_recordset(NULL::${escapeIdentifier(table)}, $1::json)`;
      let batch: string[] = [];
      for (let row = 0; row < tableHeader.rows; row += 1) {
        batch.push(await next());
        if (batch.length === ROWS_PER_INSERT || row === tableHeader.rows - 1) {
          // The rows go in as the JSON text PostgreSQL wrote, never parsed here.
          await client.query(insert, [`[${batch.join(',')}]`]);
          batch = [];
        }
      }
      total += tableHeader.rows;
    }

    const end = parseLine<DumpEnd>(await next());
    if (end.end !== true || end.rows !== total) throw new RestoreRefusedError('the row counts do not add up');
    if (!(await lines.next()).done) throw new RestoreRefusedError('the dump goes on after its end');
    for (const [sequence, position] of Object.entries(header.sequences)) {
      // A sequence never used goes back to its start: setval(…, start, false) hands out the start next.
      await client.query(
        position === null
          ? `SELECT setval($1::regclass, seqstart, false) FROM pg_catalog.pg_sequence WHERE seqrelid = $1::regclass`
          : 'SELECT setval($1::regclass, $2::bigint, true)',
        position === null ? [qualified(sequence)] : [qualified(sequence), position],
      );
    }
    await client.query('COMMIT');
    return { tables: header.tables.length, rows: total };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Splits a stream of bytes into lines (without their newline), whatever the chunking. */
export async function* linesOf(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = '';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of chunks) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    yield* parts;
  }
  rest += decoder.decode();
  if (rest !== '') throw new RestoreRefusedError('the dump does not end with a complete line');
}

function line(value: object): string {
  return `${JSON.stringify(value)}\n`;
}

function parseLine<T>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new RestoreRefusedError('a line of the dump is not JSON');
  }
}

async function assertSameSchema(client: Client, header: DumpHeader): Promise<void> {
  const migrations = await appliedMigrations(client);
  if (migrations.length === 0) {
    throw new RestoreRefusedError(
      `the database has no migrations applied: start ${header.service} once so that it creates its schema`,
    );
  }
  if (migrations.join('\n') !== header.migrations.join('\n')) {
    const missing = header.migrations.filter((name) => !migrations.includes(name));
    const extra = migrations.filter((name) => !header.migrations.includes(name));
    throw new RestoreRefusedError(
      'the database and the dump are at different migrations ' +
        `(only in the dump: ${missing.join(', ') || 'none'}; only in the database: ${extra.join(', ') || 'none'}). ` +
        'Restore into the version that made the dump, then upgrade.',
    );
  }
  const tables = await tablesInRestoreOrder(client);
  const sequences = Object.keys(await sequencePositions(client));
  if (
    [...tables].sort().join() !== [...header.tables].sort().join() ||
    sequences.join() !== Object.keys(header.sequences).sort().join()
  ) {
    throw new RestoreRefusedError('the database and the dump have different tables or sequences');
  }
}

async function assertSameColumns(client: Client, table: TableHeader): Promise<void> {
  const columns = await columnsOf(client, table.table);
  if (columns.join() !== table.columns.join()) {
    throw new RestoreRefusedError(`the columns of ${table.table} differ between the database and the dump`);
  }
}

async function appliedMigrations(client: Client): Promise<string[]> {
  const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [
    qualified(MIGRATIONS_TABLE),
  ]);
  if (!exists.rows[0].exists) return [];
  const { rows } = await client.query<{ name: string }>(
    `SELECT name FROM ${escapeIdentifier(MIGRATIONS_TABLE)} ORDER BY id`,
  );
  return rows.map((row) => row.name);
}

/** The service's tables (schema public, the migrations' record aside), each after the tables it references. */
async function tablesInRestoreOrder(client: Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> $1
      ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  const { rows: references } = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_catalog.pg_constraint k
       JOIN pg_catalog.pg_class child ON child.oid = k.conrelid
       JOIN pg_catalog.pg_class parent ON parent.oid = k.confrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = k.connamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND child.oid <> parent.oid`,
  );

  const ordered: string[] = [];
  const remaining = new Set(tables.map((table) => table.name));
  while (remaining.size > 0) {
    const ready = [...remaining].filter((table) =>
      references.every(({ child, parent }) => child !== table || !remaining.has(parent)),
    );
    if (ready.length === 0) {
      throw new RestoreRefusedError(`the foreign keys between ${[...remaining].join(', ')} form a cycle`);
    }
    for (const table of ready) {
      ordered.push(table);
      remaining.delete(table);
    }
  }
  return ordered;
}

/** The sequences of schema public (sorted by name) and their last value, null for one never used. */
async function sequencePositions(client: Client): Promise<Record<string, string | null>> {
  const { rows } = await client.query<{ name: string; position: string | null }>(
    `SELECT sequencename AS name, last_value::text AS position FROM pg_catalog.pg_sequences
      WHERE schemaname = 'public' ORDER BY sequencename`,
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.position]));
}

function qualified(name: string): string {
  return `public.${escapeIdentifier(name)}`;
}

/** The columns a row is written with: not dropped, not computed by PostgreSQL (GENERATED ... STORED). */
async function columnsOf(client: Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_catalog.pg_attribute
      WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
      ORDER BY attnum`,
    [qualified(table)],
  );
  return rows.map((row) => row.name);
}
