import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';

/** SQLSTATE 23505: an insert or update hit a unique constraint (e.g. a second account with one email). */
export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === '23505'
  );
}

/** Socket errors of a server that is down, restarting or out of reach. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that ended or refused the session, not the statement: 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or in recovery), and 28P01 invalid_password
 * and 28000 invalid_authorization_specification: the service's role is refused a session, as while its
 * password is being rotated (readiness fails too, so the service is taken out of rotation). Class 08
 * (connection exception) is matched by its prefix.
 */
const SESSION_ENDED_OR_REFUSED = new Set(['57P01', '57P02', '57P03', '28P01', '28000']);

/**
 * SQLSTATE 57014 query_canceled: PostgreSQL gave up on a statement that outlasted `statement_timeout`
 * (an overloaded server, a long lock wait). The statement and its transaction were rolled back, so
 * nothing was stored, and later the same request may well succeed: an honest 503, not a bug's 500.
 */
const STATEMENT_TIMED_OUT = '57014';

/** What node-postgres says, without a code, when a connection dies or cannot be had in time. */
const DRIVER_CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * True when an error means "the database cannot be reached, or cannot answer in time, right now" rather
 * than "this request or this code is wrong": the one place that decides which database failures answer
 * 503 with `Retry-After` (see `SafeExceptionFilter`). Anything else stays a bare 500.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  // TypeORM releases a transaction's query runner when its connection dies; the transaction's next step then
  // throws this instead of the connection error (seen in the fault suite with PostgreSQL killed mid-write).
  if (error instanceof QueryRunnerAlreadyReleasedError) return true;
  const cause = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  const { code, message, errors } = cause as { code?: unknown; message?: unknown; errors?: unknown };
  if (
    typeof code === 'string' &&
    (NETWORK_ERRORS.has(code) ||
      SESSION_ENDED_OR_REFUSED.has(code) ||
      code === STATEMENT_TIMED_OUT ||
      /^08/.test(code))
  )
    return true;
  if (typeof message === 'string' && DRIVER_CONNECTION_MESSAGES.test(message)) return true;
  // Node reports a refused connection to every address of a host as one AggregateError.
  return Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1));
}
