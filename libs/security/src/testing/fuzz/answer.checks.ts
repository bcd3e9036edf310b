import { ErrorCode } from '../../errors/error-code';

/** An error body larger than this grows with the request: a reflection and amplification risk. */
export const MAX_ERROR_BODY_BYTES = 4096;

/** What a fuzz property needs of an HTTP answer. */
export interface FuzzAnswer {
  status: number;
  body: string;
}

/** The answer of `app.inject()` (statusCode) or of fetch-like clients (status), reduced to a FuzzAnswer. */
export function answerOf(
  response: { statusCode: number; body: string } | { status: number; body: string },
): FuzzAnswer {
  return { status: 'statusCode' in response ? response.statusCode : response.status, body: response.body };
}

const ERROR_BODY_KEYS = new Set(['statusCode', 'error', 'code', 'message', 'requestId', 'fields']);
const ERROR_CODES = new Set<string>(Object.values(ErrorCode));

/**
 * Throws unless the answer is what any input must get: 2xx, or 4xx with the common error body
 * (`{statusCode, error, code, message, requestId, fields?}`, see toErrorBody) under MAX_ERROR_BODY_BYTES.
 * Never 5xx: a request that makes a service fail is a bug, whatever the request.
 */
export function expectSafeAnswer(answer: FuzzAnswer): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const problem =
    answer.status < 400 || answer.status >= 500 ? 'expected 2xx or 4xx' : errorBodyProblem(answer);
  if (problem !== undefined)
    throw new Error(`${problem}; the answer was ${answer.status}: ${answer.body.slice(0, 300)}`);
}

/**
 * What is wrong with an error answer's body, or undefined when it is the common error body
 * (`{statusCode, error, code, message, requestId, fields?}`, see toErrorBody) under MAX_ERROR_BODY_BYTES.
 */
export function errorBodyProblem(answer: FuzzAnswer): string | undefined {
  const bytes = Buffer.byteLength(answer.body);
  if (bytes >= MAX_ERROR_BODY_BYTES) return `the error body is ${bytes} bytes`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    return 'the error body is not JSON';
  }
  const unexpected = Object.keys(body).filter((key) => !ERROR_BODY_KEYS.has(key));
  if (unexpected.length > 0) return `the error body has unexpected members ${unexpected.join(', ')}`;
  if (body.statusCode !== answer.status) return 'statusCode differs from the HTTP status';
  if (typeof body.error !== 'string' || typeof body.message !== 'string')
    return 'error or message is missing';
  if (typeof body.code !== 'string' || !ERROR_CODES.has(body.code)) return 'code is not an ErrorCode';
  if (typeof body.requestId !== 'string' || body.requestId === '') return 'requestId is missing';
  if (body.fields !== undefined && !isFieldList(body.fields)) return 'fields is not a list of field problems';
  return undefined;
}

function isFieldList(fields: unknown): boolean {
  return (
    Array.isArray(fields) &&
    fields.every(
      (entry: { field?: unknown; problems?: unknown }) =>
        typeof entry?.field === 'string' &&
        Array.isArray(entry.problems) &&
        entry.problems.every((problem) => typeof problem === 'string'),
    )
  );
}
