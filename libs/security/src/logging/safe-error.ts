/**
 * What a log line may say about an error: an allowlist of fields, never the error object as it is. Errors
 * carry more than their message: TypeORM's QueryFailedError holds the query's `parameters` (an email, a
 * password hash, a refresh-token digest) and PostgreSQL's `detail` quotes the offending row ("Key
 * (email)=(ann@example.com) already exists"). Logged whole, they copy secrets and personal data into
 * every log store downstream.
 */
export interface LoggedError {
  /** The error's class, e.g. `QueryFailedError`. */
  type: string;
  /** The message, with values masked (see `scrubSecrets`). */
  message: string;
  /** A system or library error code (`ECONNREFUSED`, `FST_ERR_CTP_INVALID_MEDIA_TYPE`). */
  code?: string;
  /** Database errors: the SQLSTATE and the names (never the values) of what failed. */
  sqlState?: string;
  constraint?: string;
  table?: string;
  column?: string;
  /** The SQL text, which is parameterised and so holds no values; string literals are masked anyway. */
  statement?: string;
  /** Where it happened: the stack's frames without its first line, which repeats the message. */
  stack?: string[];
  cause?: LoggedError;
}

const MAX_MESSAGE = 300;
const MAX_STATEMENT = 500;
const MAX_FRAMES = 12;
const MAX_CAUSE_DEPTH = 2;
const SQLSTATE = /^[0-9A-Z]{5}$/;
const IDENTIFIER = /^[\w$.-]{1,128}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

/**
 * Values that must never reach a log line, wherever a library puts them in an error message. Each
 * pattern is replaced by a marker that says what was there.
 */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, '[PEM]'],
  [/\beyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[JWT]'],
  [/\$argon2(?:id|i|d)\$[^\s"')]+/g, '[PASSWORD-HASH]'],
  [/(\/\/[^/\s:@]*:)[^/\s@]+@/g, '$1[REDACTED]@'],
  [/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g, '[EMAIL]'],
  // Opaque tokens, digests and keys: long runs of base64url, hex or base64.
  [/[A-Za-z0-9_-]{32,}|[A-Za-z0-9+/]{40,}={0,2}/g, '[REDACTED]'],
];

/** Masks tokens, keys, password hashes, emails and URL passwords in a text meant for the logs. */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((scrubbed, [pattern, marker]) => scrubbed.replace(pattern, marker), text);
}

/**
 * The pino serializer of `err` and `error` in every Runnerly service (see LoggingModule): whatever a
 * developer passes, only the allowlisted fields of `LoggedError` are written.
 */
export function toLoggedError(error: unknown, depth = 0): LoggedError {
  if (typeof error !== 'object' || error === null) {
    return { type: typeof error, message: bounded(scrubSecrets(String(error)), MAX_MESSAGE) };
  }
  const fields = error as Record<string, unknown>;
  const database = isDatabaseError(fields);
  const message = typeof fields.message === 'string' ? fields.message : '';
  const logged: LoggedError = {
    type: typeNameOf(error),
    // A database message may quote the offending value ('invalid input syntax for type uuid: "…"').
    message: bounded(scrubSecrets(database ? maskQuoted(message) : message), MAX_MESSAGE),
  };
  if (database) {
    logged.sqlState = fields.code as string;
    for (const name of ['constraint', 'table', 'column'] as const) {
      const value = fields[name];
      if (typeof value === 'string' && IDENTIFIER.test(value)) logged[name] = value;
    }
    if (typeof fields.query === 'string') logged.statement = statementWithoutValues(fields.query);
  } else if (typeof fields.code === 'string' && ERROR_CODE.test(fields.code)) {
    logged.code = fields.code;
  }
  const frames = stackFramesOf(fields.stack);
  if (frames.length > 0) logged.stack = frames;
  if (fields.cause !== undefined && depth < MAX_CAUSE_DEPTH)
    logged.cause = toLoggedError(fields.cause, depth + 1);
  return logged;
}

/** SQL text fit for a log line: string literals masked, bounded. */
export function statementWithoutValues(sql: string): string {
  return bounded(sql.replace(/'(?:[^']|'')*'/g, "'?'"), MAX_STATEMENT);
}

/** PostgreSQL errors (pg's DatabaseError, and TypeORM's QueryFailedError that copies its fields). */
function isDatabaseError(fields: Record<string, unknown>): boolean {
  return (
    typeof fields.code === 'string' &&
    SQLSTATE.test(fields.code) &&
    (typeof fields.severity === 'string' || 'driverError' in fields)
  );
}

function typeNameOf(error: object): string {
  // pino's standard serializer hands over a plain object with `type`; a raw error has its class name.
  const named = (error as { type?: unknown }).type ?? (error as { name?: unknown }).name;
  const name = typeof named === 'string' && named !== 'Error' ? named : error.constructor?.name;
  return typeof name === 'string' && IDENTIFIER.test(name) ? name : 'Error';
}

function maskQuoted(message: string): string {
  return message.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (quoted) => `${quoted[0]}…${quoted[0]}`);
}

function stackFramesOf(stack: unknown): string[] {
  if (typeof stack !== 'string') return [];
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => bounded(line.trim(), 300));
}

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
