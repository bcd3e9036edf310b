import { type Paramtype, type Type } from '@nestjs/common';
import { type AppException, type FieldProblem } from '../errors/app.exception';
import { createValidationPipe } from '../validation/validation.pipe';

/**
 * What the services' validation pipe says about `value` as a `metatype` (a DTO, a query class): the
 * offending fields, or `[]` when it is valid. For DTO unit tests without an HTTP round trip.
 */
export async function validationProblemsOf(
  metatype: Type,
  value: unknown,
  type: Paramtype = 'body',
): Promise<FieldProblem[]> {
  try {
    await createValidationPipe().transform(value, { type, metatype });
    return [];
  } catch (error) {
    return (error as AppException).fields ?? [];
  }
}

/** The DTO instance the validation pipe hands a handler for `value`; rejects when it is invalid. */
export function validated<T extends object>(
  metatype: Type<T>,
  value: unknown,
  type: Paramtype = 'body',
): Promise<T> {
  return createValidationPipe().transform(value, { type, metatype }) as Promise<T>;
}
