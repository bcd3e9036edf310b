import { AppException, ErrorCode } from '@runnerly/security';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The first instant a PostgreSQL timestamptz holds: 4713-11-24 BC (ISO year -4712), 00:00 UTC. Its last,
 * in 294276 AD, lies beyond JavaScript's own last date (+275760), so every later Date fits.
 */
const EARLIEST_TIMESTAMPTZ_MS = Date.UTC(-4712, 10, 24);

/**
 * Keyset pagination position: the sort timestamp and id of the last row of a page. Pages stay correct
 * while rows are added, and each page costs one index range scan however deep the client goes.
 * Timestamps used as keys are stored with millisecond precision (timestamptz(3)), like JS dates.
 */
export interface KeysetPosition {
  at: Date;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.at.toISOString(), position.id])).toString('base64url');
}

/**
 * Decodes a client-supplied cursor; anything that is not one of ours is a 400, never a 500. Only what
 * encodeCursor writes passes: a pair of an ISO date PostgreSQL can hold, exactly as toISOString spells
 * it, and a UUID. (A date JavaScript accepts but PostgreSQL does not, such as -271821-04-20, failed the
 * query with a 500.)
 */
export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [at, id] = decoded as unknown[];
      const date = new Date(typeof at === 'string' ? at : Number.NaN);
      if (
        date.getTime() >= EARLIEST_TIMESTAMPTZ_MS &&
        date.toISOString() === at &&
        typeof id === 'string' &&
        UUID.test(id)
      )
        return { at: date, id };
    }
  } catch {
    // fall through to the 400 below
  }
  throw new AppException(ErrorCode.ValidationFailed, 'The request is invalid.', [
    { field: 'cursor', problems: ['cursor must be a cursor returned by this API'] },
  ]);
}

/** Builds a page from `limit + 1` fetched rows: the extra row only tells whether another page exists. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  positionOf: (row: Row) => KeysetPosition,
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null,
  };
}
