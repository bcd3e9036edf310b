import { AppException, ErrorCode } from '@runnerly/security';
import { type EntityManager } from 'typeorm';
import { type KeyedRequest } from './idempotency-key.decorator';
import { IdempotencyRecord } from './idempotency-record.entity';

/** How long a key holds its first answer; after that the same key is a new request. */
const IDEMPOTENCY_KEY_TTL_HOURS = 24;
/** Expired keys (anyone's) that one keyed write deletes on its way, so the table cannot grow forever. */
const EXPIRED_KEYS_SWEPT_PER_WRITE = 100;

/** An answer to a write: the first one, or the stored copy of it (`replayed`). */
export interface IdempotentAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * Runs `write` at most once per (account, key), inside the caller's transaction `db`, and stores its
 * answer in the same transaction: a crash can never keep the write without the key, or the key
 * without the write. A failed write rolls the key back with it, so a refused request never burns its key.
 *
 * A concurrent request with the same key waits on the claimed key (PostgreSQL makes a conflicting
 * INSERT wait for the transaction that inserted the row) and then gets the stored first answer.
 * The same key with another request (method, URL or body) is refused with 422 IDEMPOTENCY.KEY_REUSED.
 * Without a key, `write` simply runs.
 */
export async function idempotently<T>(
  db: EntityManager,
  accountId: string,
  request: KeyedRequest | undefined,
  status: number,
  write: () => Promise<T>,
): Promise<IdempotentAnswer<T>> {
  if (!request) return { status, body: await write(), replayed: false };

  await sweepExpiredKeys(db, accountId, request.key);
  const claimed: unknown[] = await db.query(
    `INSERT INTO idempotency_keys (account_id, key, request_hash) VALUES ($1, $2, $3)
     ON CONFLICT (account_id, key) DO NOTHING RETURNING key`,
    [accountId, request.key, request.fingerprint],
  );
  if (claimed.length === 0) return replay<T>(db, accountId, request);

  const body = await write();
  await db.query(
    `UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE account_id = $1 AND key = $2`,
    [accountId, request.key, status, JSON.stringify(body)],
  );
  return { status, body, replayed: false };
}

/** Forgets every key of an account, with the copies of its data they hold (for its erasure). */
export async function forgetIdempotencyKeysOf(db: EntityManager, accountId: string): Promise<void> {
  await db.delete(IdempotencyRecord, { accountId });
}

async function replay<T>(
  db: EntityManager,
  accountId: string,
  request: KeyedRequest,
): Promise<IdempotentAnswer<T>> {
  const stored = await db.findOneByOrFail(IdempotencyRecord, { accountId, key: request.key });
  if (stored.requestHash !== request.fingerprint) {
    throw new AppException(
      ErrorCode.IdempotencyKeyReused,
      'This Idempotency-Key was already used for a different request.',
    );
  }
  if (stored.responseStatus === null) throw new Error('an idempotency key was committed without its answer');
  return { status: stored.responseStatus, body: stored.responseBody as T, replayed: true };
}

/**
 * Deletes this key if it expired (it then counts as new), and up to EXPIRED_KEYS_SWEPT_PER_WRITE other
 * expired keys; rows another transaction holds are skipped, so the sweep never waits.
 */
async function sweepExpiredKeys(db: EntityManager, accountId: string, key: string): Promise<void> {
  const expired = `created_at < now() - make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS})`;
  await db.query(`DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND ${expired}`, [
    accountId,
    key,
  ]);
  await db.query(
    `DELETE FROM idempotency_keys WHERE (account_id, key) IN (
       SELECT account_id, key FROM idempotency_keys WHERE ${expired}
       LIMIT ${EXPIRED_KEYS_SWEPT_PER_WRITE} FOR UPDATE SKIP LOCKED)`,
  );
}
