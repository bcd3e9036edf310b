import { QueryFailedError } from 'typeorm';

/** SQLSTATE 23505: an insert or update hit a unique constraint (e.g. a second account with one email). */
export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === '23505'
  );
}
