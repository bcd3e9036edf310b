import { Transform } from 'class-transformer';

/**
 * Trims and lower-cases an email before validation, so "Ann@Example.com " and "ann@example.com" are one
 * account: otherwise one person could register twice, or dodge a per-account rate limit.
 */
export const NormalizeEmail = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  );
