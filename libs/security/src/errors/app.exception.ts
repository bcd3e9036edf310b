import { HttpException } from '@nestjs/common';
import { type AuditDetails, type AuditEvent } from '../logging/audit-log.service';
import { ErrorCode, HTTP_STATUS_OF } from './error-code';

/** One offending request field, as listed in a validation error. Values are never echoed back. */
export interface FieldProblem {
  field: string;
  problems: string[];
}

/**
 * The exception services throw for an expected failure: a stable code, a message safe to show to any
 * client, and, for validation failures, the offending fields. The HTTP status follows from the code.
 */
export class AppException extends HttpException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
  ) {
    super(message, HTTP_STATUS_OF[code]);
  }
}

/** The audit line an `AuditedException` stands for. */
export interface AuditRecord {
  event: AuditEvent;
  details: AuditDetails;
}

/**
 * An expected refusal that is also a security event, e.g. a user naming another user's data. Code
 * outside dependency injection (a value object such as `OwnerScope`) cannot reach `AuditLog`, so it
 * throws this instead, and `SafeExceptionFilter` writes the audit line, once, with the request id.
 */
export class AuditedException extends AppException {
  constructor(
    code: ErrorCode,
    message: string,
    readonly audit: AuditRecord,
  ) {
    super(code, message);
  }
}

/**
 * A refusal the client may retry: `SafeExceptionFilter` sets the standard `Retry-After` header
 * (RFC 9110 §10.2.3) from `retryAfterSeconds`.
 */
export class RetryLaterException extends AppException {
  readonly retryAfterSeconds: number;

  constructor(code: ErrorCode, message: string, retryAfterSeconds: number) {
    super(code, message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** 429 Too Many Requests, with `Retry-After`. */
export class RateLimitedException extends RetryLaterException {
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RateLimited, 'Too many requests. Retry later.', retryAfterSeconds);
  }
}

/** Seconds a client is asked to wait when a dependency of the service is down. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 2;

/**
 * 503 `SERVICE.UNAVAILABLE` with `Retry-After`: a dependency (the database) is unreachable, so the
 * request was not carried out and may be sent again.
 */
export class ServiceUnavailableException extends RetryLaterException {
  constructor(retryAfterSeconds = DEPENDENCY_RETRY_AFTER_SECONDS) {
    super(
      ErrorCode.ServiceUnavailable,
      'The service is temporarily unavailable. Retry later.',
      retryAfterSeconds,
    );
  }
}
