export interface WindowLimit {
  /** Requests allowed per window. */
  limit: number;
  /** Window length; once exceeded, the client is blocked for as long again. */
  windowMs: number;
}

export interface RateLimitOptions {
  /** Shared counters for several replicas. Without it, counters live in this process's memory. */
  redisUrl?: string;
  /** Namespace of the counters in Redis, so services sharing one Redis never share counters. */
  keyPrefix?: string;
  /** Every request, per client IP. */
  general: WindowLimit;
  /** Routes marked `@CredentialsEndpoint()`, per client IP. */
  credentialsPerIp: WindowLimit;
  /** Routes marked `@CredentialsEndpoint()`, per account named in the body (`email`). */
  credentialsPerAccount: WindowLimit;
}

/** Defaults that let people use the product and stop scripts: tighten them, rarely loosen them. */
export const DEFAULT_RATE_LIMITS: Omit<RateLimitOptions, 'redisUrl' | 'keyPrefix'> = {
  general: { limit: 300, windowMs: 60_000 },
  credentialsPerIp: { limit: 20, windowMs: 60_000 },
  credentialsPerAccount: { limit: 10, windowMs: 15 * 60_000 },
};
