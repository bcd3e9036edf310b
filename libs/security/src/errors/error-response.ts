import { STATUS_CODES } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import { AppException } from './app.exception';
import { CODE_FOR_STATUS, ErrorCode } from './error-code';
import { type ErrorBody } from './error-body';

/**
 * Fixed messages for errors raised by the framework itself (Fastify's body parser, router, limits).
 * Their own messages can quote fragments of the request, so they are never passed through.
 */
const FRAMEWORK_MESSAGES: Readonly<Record<number, string>> = {
  400: 'The request is malformed.',
  404: 'Resource not found.',
  405: 'Method not allowed.',
  408: 'The request took too long to arrive.',
  413: 'The request body is too large.',
  415: 'Unsupported media type: send application/json.',
  429: 'Too many requests. Retry later.',
  431: 'The request headers are too large.',
};

/**
 * Turns anything thrown while handling a request into the public error body. Only our own exceptions
 * contribute their message; everything unexpected becomes a bare 500, so stack traces, SQL and library
 * internals never reach a client (OWASP API8: security misconfiguration).
 */
export function toErrorBody(exception: unknown, requestId: string): ErrorBody {
  const base = (statusCode: number, code: ErrorCode, message: string): ErrorBody => ({
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    code,
    message,
    requestId,
  });

  if (exception instanceof AppException) {
    const body = base(exception.getStatus(), exception.code, exception.message);
    return exception.fields ? { ...body, fields: exception.fields } : body;
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500)
      return base(status, CODE_FOR_STATUS[status] ?? ErrorCode.Internal, 'Internal server error.');
    const message = FRAMEWORK_MESSAGES[status] ?? exception.message;
    return base(status, CODE_FOR_STATUS[status] ?? ErrorCode.MalformedRequest, message);
  }
  const frameworkStatus = clientErrorStatusOf(exception);
  if (frameworkStatus !== undefined) {
    return base(
      frameworkStatus,
      CODE_FOR_STATUS[frameworkStatus] ?? ErrorCode.MalformedRequest,
      FRAMEWORK_MESSAGES[frameworkStatus] ?? FRAMEWORK_MESSAGES[400]!,
    );
  }
  return base(HttpStatus.INTERNAL_SERVER_ERROR, ErrorCode.Internal, 'Internal server error.');
}

/** Fastify's own errors (FST_ERR_CTP_*, ...) carry a 4xx `statusCode`; anything else is unexpected. */
function clientErrorStatusOf(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const status = (exception as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** The part of a reply an error answer needs (Fastify's, or @fastify/reply-from's wider one). */
export interface ErrorReply {
  status(statusCode: number): ErrorReply;
  header(name: string, value: string): ErrorReply;
  send(payload: unknown): unknown;
}

/** The code of the error answer each reply carried: read once the answer is sent (see answeredErrorCode). */
const ANSWERED_CODES = new WeakMap<ErrorReply, ErrorCode>();

/** Answers with the error body of `exception` (see toErrorBody), as JSON, with its status; returns the body. */
export function sendError(reply: ErrorReply, exception: unknown, requestId: string): ErrorBody {
  const body = toErrorBody(exception, requestId);
  ANSWERED_CODES.set(reply, body.code);
  void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  return body;
}

/**
 * The `code` of the error body sendError answered on this reply, if it did: every error answer in the
 * common shape goes through sendError, so a service's metrics count error answers by code from here.
 */
export function answeredErrorCode(reply: object): ErrorCode | undefined {
  return ANSWERED_CODES.get(reply as ErrorReply);
}
