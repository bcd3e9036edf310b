import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Validates a config field by parsing it the way the service will: a value the parser refuses stops loadConfig,
 * with the parser's own message, before the service connects to anything or opens a port. The parsers given here
 * name positions, ids and sizes in their errors, never the value, which may be key material.
 */
export function ParsesAs(
  name: string,
  parse: (value: string) => unknown,
  options?: ValidationOptions,
): PropertyDecorator {
  const problemOf = (value: string): string | undefined => {
    try {
      parse(value);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value) => typeof value === 'string' && problemOf(value) === undefined,
        defaultMessage: (args) =>
          typeof args?.value === 'string'
            ? (problemOf(args.value) ?? 'is invalid')
            : `${args?.property ?? 'value'} must be a string`,
      },
    },
    options,
  );
}
