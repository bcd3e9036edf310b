import { AppException, ErrorCode } from '@runnerly/security';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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

/** Decodes a client-supplied cursor; anything that is not one of ours is a 400, never a 500. */
export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const date = typeof at === 'string' ? new Date(at) : new Date(Number.NaN);
    if (!Number.isNaN(date.getTime()) && typeof id === 'string' && UUID.test(id)) return { at: date, id };
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
