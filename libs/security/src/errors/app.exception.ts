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
 * 429 Too Many Requests, with the standard `Retry-After` header (RFC 9110 §10.2.3) that
 * `SafeExceptionFilter` sets from `retryAfterSeconds`.
 */
export class RateLimitedException extends AppException {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RateLimited, 'Too many requests. Retry later.');
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
