import { createHash } from 'node:crypto';

/** What makes two requests "the same request" for an idempotency key. */
export interface FingerprintedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** The parsed JSON body, if any. */
  body?: unknown;
}

/**
 * SHA-256 of the request in a canonical form: object members sorted by name at every depth, so that
 * `{"a":1,"b":2}` and `{"b":2,"a":1}` are one request, while any changed value is another.
 */
export function requestFingerprint(request: FingerprintedRequest): string {
  const canonical = JSON.stringify([request.method.toUpperCase(), request.url, sorted(request.body ?? null)]);
  return createHash('sha256').update(canonical).digest('hex');
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((name) => [name, sorted((value as Record<string, unknown>)[name])]),
  );
}
