import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppException, type FieldProblem } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * Bounds of the field list of a validation error, so that the error body cannot grow with the request
 * (a reflection and amplification risk): a body of a thousand unknown members, or one member with a
 * 16 KiB name, still gets a small answer. Unknown members are the only names a client chooses.
 */
export const MAX_LISTED_FIELDS = 8;
export const MAX_FIELD_NAME_LENGTH = 32;

/**
 * The one validation pipe of every service (OWASP API3 and API6: mass assignment, unbounded input):
 * - `whitelist` + `forbidNonWhitelisted`: a field the DTO does not declare (`role`, `id`, `userId`) is
 *   refused with 400 instead of silently reaching the database;
 * - `forbidUnknownValues`: a body that is not an object of the DTO's class (an array, a string) fails;
 * - `transform`: handlers receive DTO instances with the declared types;
 * - members named like a property of Object.prototype, and strings PostgreSQL cannot store as sent
 *   (NUL, unpaired surrogates), are refused too (see StrictValidationPipe);
 * - errors list the offending fields and rules, never the submitted values, and at most
 *   MAX_LISTED_FIELDS of them.
 */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new AppException(
        ErrorCode.ValidationFailed,
        'The request is invalid.',
        fieldProblemsOf(errors).slice(0, MAX_LISTED_FIELDS),
      ),
  });
}

/**
 * Two checks of the raw value, at any depth and without recursion, before Nest and class-transformer
 * touch it:
 * - the whitelist misses some unknown members: Nest's pipe deletes `__proto__`, `prototype` and
 *   `constructor` before validating, and class-transformer skips every other name Object.prototype
 *   carries (`toString`, `__defineSetter__`, ...), so such a member would pass without a word;
 * - strings PostgreSQL cannot store as sent: NUL, which it refuses in text (a 500 wherever a field
 *   reaches a query unchecked, as a login email did), and an unpaired surrogate (JSON can carry
 *   `"\ud800"`), which is no text: it would store U+FFFD instead, and validator.js throws on one
 *   (isEmail: a 500).
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.metatype && this.toValidate(metadata)) {
      const problems = rawValueProblemsOf(value, metadata.type);
      if (problems.length > 0)
        throw new AppException(
          ErrorCode.ValidationFailed,
          'The request is invalid.',
          problems.slice(0, MAX_LISTED_FIELDS),
        );
    }
    return super.transform(value, metadata);
  }
}

const isReservedName = (name: string) => name === 'prototype' || Object.hasOwn(Object.prototype, name);
const TEXT_RULES = [
  { breaks: (text: string) => text.includes('\u0000'), problem: 'must not contain NUL characters' },
  { breaks: (text: string) => /\p{Cs}/u.test(text), problem: 'must be well-formed Unicode text' },
];

function rawValueProblemsOf(value: unknown, root: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pending: { value: unknown; path: string }[] = [{ value, path: '' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value === 'string') {
      const text = next.value;
      const field = next.path || root;
      const broken = TEXT_RULES.filter((rule) => rule.breaks(text));
      if (broken.length > 0)
        problems.push({ field, problems: broken.map((rule) => `${field} ${rule.problem}`) });
    }
    if (typeof next.value !== 'object' || next.value === null) continue;
    const isArray = Array.isArray(next.value);
    for (const [key, child] of Object.entries(next.value)) {
      const name = shortened(key);
      const path = isArray ? `${next.path}[${key}]` : next.path ? `${next.path}.${name}` : name;
      if (!isArray && isReservedName(key))
        problems.push({ field: path, problems: [`property ${name} should not exist`] });
      pending.push({ value: child, path });
    }
  }
  return problems;
}

/**
 * Flattens nested validation errors into `{ field: 'a.b[0].c', problems: [...] }` entries, with names
 * over MAX_FIELD_NAME_LENGTH characters shortened, in the field and in its problems.
 */
export function fieldProblemsOf(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const name = shortened(error.property);
    const field = !parent ? name : /^\d+$/.test(name) ? `${parent}[${name}]` : `${parent}.${name}`;
    const own: FieldProblem[] = error.constraints
      ? [
          {
            field,
            problems: Object.values(error.constraints).map((problem) =>
              name === error.property ? problem : problem.replaceAll(error.property, name),
            ),
          },
        ]
      : [];
    return [...own, ...fieldProblemsOf(error.children ?? [], field)];
  });
}

function shortened(name: string): string {
  const characters = [...name];
  return characters.length > MAX_FIELD_NAME_LENGTH
    ? `${characters.slice(0, MAX_FIELD_NAME_LENGTH).join('')}…`
    : name;
}
