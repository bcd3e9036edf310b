import { ParseUUIDPipe } from '@nestjs/common';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/** Validates an `:id`-style path parameter as a UUID, answering 400 in the common validation shape. */
export function uuidParam(name = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new AppException(ErrorCode.ValidationFailed, 'The request is invalid.', [
        { field: name, problems: [`${name} must be a UUID`] },
      ]),
  });
}
