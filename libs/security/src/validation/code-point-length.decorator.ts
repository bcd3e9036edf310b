import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** A string's length as PostgreSQL counts it (`char_length`, `varchar(n)`): in code points. */
const codePointLength = (text: string): number => [...text].length;

/**
 * A string of `min` to `max` code points, the count of the `varchar(max)` column behind the field.
 * class-validator's Length and MaxLength count otherwise: validator.js takes an emoji presentation
 * sequence such as "❤️" (two code points) for one character, so 60 of them passed a 100-character
 * bound and overflowed a varchar(100): a 500 instead of a 400.
 */
export function CodePointLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'codePointLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && codePointLength(value) >= min && codePointLength(value) <= max,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be ${min > 0 ? `${min} to ${max}` : `at most ${max}`} characters long`,
      },
    },
    options,
  );
}
