/**
 * Injection token of a `DependencyOutage` classifier: a module that owns a dependency (the database
 * module) provides one, and `SafeExceptionFilter` answers the errors it recognises with 503
 * `SERVICE.UNAVAILABLE` and `Retry-After` instead of a bare 500.
 */
export const DEPENDENCY_OUTAGE = Symbol('DEPENDENCY_OUTAGE');

/** True when `error` says a dependency cannot be reached (not that the request or the code is wrong). */
export type DependencyOutage = (error: unknown) => boolean;
