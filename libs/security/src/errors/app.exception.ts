import { HttpException } from '@nestjs/common';
import { type ErrorCode, HTTP_STATUS_OF } from './error-code';

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
