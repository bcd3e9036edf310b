import { Transform } from 'class-transformer';

/**
 * Reads "true"/"false" from an environment variable. (`@Type(() => Boolean)` would turn the string
 * "false" into `true`.) Anything else is left as is, for `@IsBoolean()` to reject.
 */
export const ToBoolean = () =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));
