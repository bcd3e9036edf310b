import { INSTANCE_STOPPING_HEADER } from '@runnerly/security';

/** Sent by a client that may repeat a write; the service then answers a repeat with the first answer. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/**
 * Errors of the connect phase (undici passes the socket's own error): no connection existed, so no byte
 * of the request went out and the service cannot have acted on it. Only these prove "never sent".
 * Not here, on purpose: ECONNRESET and UND_ERR_SOCKET ("other side closed") come from a connection
 * that may have carried the whole request before it broke, and a timeout means the service may still
 * be working on it.
 */
const NEVER_SENT = new Set([
  'ECONNREFUSED', // nothing listens: a stopped or restarting instance
  'UND_ERR_CONNECT_TIMEOUT', // the TCP handshake never completed
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND', // the name does not resolve (a container that is gone)
  'EAI_AGAIN',
]);

/** The connection broke before any answer: the request may or may not have reached the service. */
const BROKEN_BEFORE_ANSWER = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** Safe by HTTP semantics (RFC 9110 §9.2.2): repeating them changes nothing. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD']);

export interface FailedAttempt {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** The undici error behind reply-from's; `code` is Node's or undici's error code. */
  cause: unknown;
}

function codeOf(cause: unknown): string | undefined {
  return typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
}

/** The instance refused or could not be reached: skip it for a while. */
export function connectFailed(cause: unknown): boolean {
  return NEVER_SENT.has(codeOf(cause) ?? '');
}

/**
 * Whether a request that failed without an answer may be sent to another instance. Never after an
 * answer of any status (the caller only asks for failures without one), never after a timeout. A
 * request that was never sent is always safe; a GET or HEAD whose connection broke is safe by HTTP;
 * any other write only when the client sent an Idempotency-Key, which makes the service answer a
 * repeat with the first answer instead of acting twice.
 */
export function mayRetry({ method, headers, cause }: FailedAttempt): boolean {
  if (connectFailed(cause)) return true;
  if (!BROKEN_BEFORE_ANSWER.has(codeOf(cause) ?? '')) return false;
  return IDEMPOTENT_METHODS.has(method) || headers[IDEMPOTENCY_KEY_HEADER] !== undefined;
}

/**
 * An answer that proves the request was never processed: the 503 of an instance whose listener had closed
 * (graceful shutdown refuses such a request before any handler runs). Like a refused connection, it may go
 * to another instance whatever the method.
 */
export function refusedWhileStopping(statusCode: number, headers: Record<string, unknown>): boolean {
  return statusCode === 503 && headers[INSTANCE_STOPPING_HEADER] === '1';
}
