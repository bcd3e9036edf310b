import { Transform } from 'class-transformer';

/** Reads a comma-separated variable (`a, b`) into its non-empty entries. */
export const CommaSeparated = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
      : value,
  );
