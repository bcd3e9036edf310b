import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppException, type FieldProblem } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * The one validation pipe of every service (OWASP API3 and API6: mass assignment, unbounded input):
 * - `whitelist` + `forbidNonWhitelisted`: a field the DTO does not declare (`role`, `id`, `userId`) is
 *   refused with 400 instead of silently reaching the database;
 * - `forbidUnknownValues`: a body that is not an object of the DTO's class (an array, a string) fails;
 * - `transform`: handlers receive DTO instances with the declared types;
 * - errors list the offending fields and rules, never the submitted values.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new AppException(ErrorCode.ValidationFailed, 'The request is invalid.', fieldProblemsOf(errors)),
  });
}

/** Flattens nested validation errors into `{ field: 'a.b[0].c', problems: [...] }` entries. */
export function fieldProblemsOf(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = !parent
      ? error.property
      : /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`;
    const own: FieldProblem[] = error.constraints
      ? [{ field, problems: Object.values(error.constraints) }]
      : [];
    return [...own, ...fieldProblemsOf(error.children ?? [], field)];
  });
}
