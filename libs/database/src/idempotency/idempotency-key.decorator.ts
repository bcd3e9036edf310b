import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppException, ErrorCode } from '@runnerly/security';
import { requestFingerprint } from './request-fingerprint';

const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set to `true` on an answer that is the stored first answer to an earlier request with the same key. */
export const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';
const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** Visible ASCII only (no space, no control character), 1 to 255 characters, e.g. a UUID. */
const VALID_KEY = new RegExp(`^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`);

/** A request that carries an Idempotency-Key: the key, and what the key promises the request is. */
export interface KeyedRequest {
  key: string;
  fingerprint: string;
}

interface HttpRequest {
  method: string;
  url: string;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The request's `Idempotency-Key` (IETF draft "The Idempotency-Key HTTP Header Field"), or undefined
 * when it has none. A malformed key is refused (400) before anything is written, rather than ignored:
 * a client that believes it is protected while it is not would record a run twice on its next retry.
 */
export function keyedRequestOf(request: HttpRequest): KeyedRequest | undefined {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !VALID_KEY.test(key)) {
    throw new AppException(ErrorCode.ValidationFailed, 'The request is invalid.', [
      {
        field: 'Idempotency-Key',
        problems: [`must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, e.g. a UUID`],
      },
    ]);
  }
  return { key, fingerprint: requestFingerprint(request) };
}

/** The route handler's view of `keyedRequestOf`; pair it with `idempotently` in the service. */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): KeyedRequest | undefined =>
    keyedRequestOf(context.switchToHttp().getRequest<HttpRequest>()),
);
