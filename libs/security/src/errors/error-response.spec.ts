import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
} from '@nestjs/common';
import { AppException } from './app.exception';
import { ErrorCode } from './error-code';
import { answeredErrorCode, type ErrorReply, sendError, toErrorBody } from './error-response';

const REQUEST_ID = 'req-1';

/** A Fastify framework error, as its body parser and router throw them. */
const fastifyError = (statusCode: number, code: string, message: string) =>
  Object.assign(new Error(message), { statusCode, code });

describe('toErrorBody', () => {
  it('gives every error the stable shape { statusCode, error, code, message, requestId }', () => {
    expect(toErrorBody(new AppException(ErrorCode.Conflict, 'That email is taken.'), REQUEST_ID)).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'RESOURCE.CONFLICT',
      message: 'That email is taken.',
      requestId: REQUEST_ID,
    });
  });

  describe('our own AppException', () => {
    it('keeps its code, its message and the offending fields', () => {
      const fields = [{ field: 'email', problems: ['email must be an email'] }];
      expect(
        toErrorBody(
          new AppException(ErrorCode.ValidationFailed, 'The request is invalid.', fields),
          REQUEST_ID,
        ),
      ).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION.FAILED',
        message: 'The request is invalid.',
        requestId: REQUEST_ID,
        fields,
      });
    });

    it.each([
      [ErrorCode.InvalidCredentials, 401],
      [ErrorCode.Forbidden, 403],
      [ErrorCode.NotFound, 404],
      [ErrorCode.IdempotencyKeyReused, 422],
      [ErrorCode.RateLimited, 429],
      [ErrorCode.ServiceBusy, 503],
      [ErrorCode.ServiceUnavailable, 503],
      [ErrorCode.UpstreamUnavailable, 502],
      [ErrorCode.UpstreamTimeout, 504],
    ])('answers %s with status %i', (code, status) => {
      expect(toErrorBody(new AppException(code, 'message'), REQUEST_ID)).toMatchObject({
        statusCode: status,
        code,
      });
    });

    it('keeps the message of an expected 5xx, which is written for clients', () => {
      expect(
        toErrorBody(new AppException(ErrorCode.ServiceBusy, 'The service is busy. Retry later.'), REQUEST_ID)
          .message,
      ).toBe('The service is busy. Retry later.');
    });
  });

  describe("Nest's HttpException", () => {
    it.each([
      ['a 403', new ForbiddenException(), 403, ErrorCode.Forbidden, 'Forbidden'],
      [
        'a 404 from the router',
        new NotFoundException('Cannot GET /x9q7'),
        404,
        ErrorCode.NotFound,
        'Resource not found.',
      ],
      [
        'a 400 quoting the request',
        new BadRequestException('Unexpected token x9q7'),
        400,
        ErrorCode.MalformedRequest,
        'The request is malformed.',
      ],
      [
        'a 418 without a known code',
        new HttpException('teapot', 418),
        418,
        ErrorCode.MalformedRequest,
        'teapot',
      ],
    ])('maps %s to a client error body', (_case, exception, statusCode, code, message) => {
      expect(toErrorBody(exception, REQUEST_ID)).toMatchObject({ statusCode, code, message });
    });

    it('hides the message of a 5xx', () => {
      const body = toErrorBody(
        new InternalServerErrorException('connection to db.internal:5432 refused'),
        REQUEST_ID,
      );
      expect(body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        code: ErrorCode.Internal,
        message: 'Internal server error.',
        requestId: REQUEST_ID,
      });
    });

    it('keeps the status and code of a known 5xx', () => {
      expect(toErrorBody(new HttpException('upstream said x9q7', 502), REQUEST_ID)).toMatchObject({
        statusCode: 502,
        code: ErrorCode.UpstreamUnavailable,
        message: 'Internal server error.',
      });
    });
  });

  describe("Fastify's client errors", () => {
    it.each([
      [413, 'FST_ERR_CTP_BODY_TOO_LARGE', ErrorCode.PayloadTooLarge, 'The request body is too large.'],
      [
        415,
        'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        ErrorCode.UnsupportedMediaType,
        'Unsupported media type: send application/json.',
      ],
      [400, 'FST_ERR_CTP_INVALID_JSON_BODY', ErrorCode.MalformedRequest, 'The request is malformed.'],
      [431, 'FST_ERR_HEADER_TOO_LARGE', ErrorCode.HeadersTooLarge, 'The request headers are too large.'],
    ])(
      'answers %i (%s) with a fixed message that echoes nothing',
      (statusCode, fastifyCode, code, message) => {
        const body = toErrorBody(
          fastifyError(statusCode, fastifyCode, 'Unexpected token x9q7 in JSON'),
          REQUEST_ID,
        );
        expect(body).toMatchObject({ statusCode, code, message, requestId: REQUEST_ID });
        expect(JSON.stringify(body)).not.toContain('x9q7');
      },
    );
  });

  describe('unexpected errors', () => {
    it.each([
      [
        'an Error with SQL in its message',
        new Error('duplicate key value violates unique constraint "accounts_email_key" SELECT x9q7'),
      ],
      ['a 5xx-looking framework error', fastifyError(503, 'FST_ERR_SOMETHING', 'x9q7')],
      ['a thrown string', 'x9q7'],
      ['null', null],
    ])('answers %s with a bare 500, without message or stack', (_case, thrown) => {
      const body = toErrorBody(thrown, REQUEST_ID);
      expect(body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        code: ErrorCode.Internal,
        message: 'Internal server error.',
        requestId: REQUEST_ID,
      });
      expect(JSON.stringify(body)).not.toMatch(/x9q7|stack|SELECT/);
    });
  });
});

describe('answeredErrorCode', () => {
  const reply = (): ErrorReply => {
    const fake: ErrorReply = { status: () => fake, header: () => fake, send: () => undefined };
    return fake;
  };

  it('gives the code of the error answer sendError wrote on a reply, for the metrics to count', () => {
    const answered = reply();
    sendError(answered, new BadRequestException(), REQUEST_ID);
    expect(answeredErrorCode(answered)).toBe(ErrorCode.MalformedRequest);
  });

  it('gives nothing for a reply that carried no error answer', () => {
    expect(answeredErrorCode(reply())).toBeUndefined();
  });
});
