import { errorBodyProblem } from '@runnerly/security/testing';

/** A request that gets no answer in this time counts as unanswered. */
const REQUEST_TIMEOUT_MS = 10_000;

/** One request as the client saw it: an HTTP answer, or none at all (refused, reset, timed out). */
export interface Attempt {
  at: number;
  status: number | 'no answer';
  /** The error body's `code`, for an answer that is not a 2xx. */
  code?: string;
  /** Whether a non-2xx answer had the common error shape with a request id. */
  safeShape?: boolean;
  /** The error body's `requestId`: it finds the services' log lines about this answer. */
  requestId?: string;
}

/** Sends one request through the gateway and records what came back; never throws. */
export async function attempt(url: string, init: RequestInit): Promise<Attempt> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    const at = Date.now();
    if (response.ok) return { at, status: response.status };
    return { at, status: response.status, ...errorShapeOf(response.status, text) };
  } catch {
    return { at: Date.now(), status: 'no answer' };
  }
}

/** Whether an attempt failed: an error answer, or no answer at all. */
export const failed = ({ status }: Attempt): boolean => status === 'no answer' || status >= 400;

/** The error body's code and request id, and whether the body is the common error shape with a request id. */
function errorShapeOf(status: number, text: string): Pick<Attempt, 'code' | 'safeShape' | 'requestId'> {
  const safeShape = errorBodyProblem({ status, body: text }) === undefined;
  try {
    const { code, requestId } = JSON.parse(text) as { code?: unknown; requestId?: unknown };
    const asString = (value: unknown) => (typeof value === 'string' ? value : undefined);
    return { code: asString(code), safeShape, requestId: asString(requestId) };
  } catch {
    return { safeShape };
  }
}
