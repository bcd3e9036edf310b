export interface WindowLimit {
  /** Requests allowed per window. */
  limit: number;
  /** Window length; once exceeded, the client is blocked for as long again. */
  windowMs: number;
}

/** Failed credential checks (a wrong password, a wrong client secret), counted once the check has failed. */
export interface FailedCredentialLimits {
  /**
   * Per account and client: past `limit` failures, that client gets 429 for that account until the window
   * ends, even with the right password (so a blocked guesser learns nothing). Other clients, the account's
   * owner among them, are not affected: nobody can lock anyone else out.
   */
  perAccountAndClient: WindowLimit;
  /**
   * Per account, from every client together (a guessing botnet): past `limit` failures, every attempt on
   * the account waits `slowdownMs` before it is checked. Never refused, so the rightful owner still gets in.
   */
  perAccount: WindowLimit & { slowdownMs: number };
}

export interface RateLimitOptions {
  /** Shared counters for several replicas. Without it, counters live in this process's memory. */
  redisUrl?: string;
  /** For a rediss:// URL: the CA certificates (PEM) its server's certificate must chain to. Default: the system's. */
  redisCa?: string;
  /** Namespace of the counters in Redis, so services sharing one Redis never share counters. */
  keyPrefix?: string;
  /**
   * An IPv6 client is counted by its network of this many bits, not its address: one subscriber usually
   * holds a whole /64 and could take a fresh address, and so a fresh budget, for every request.
   */
  ipv6PrefixLength: number;
  /** Every request, per client. */
  general: WindowLimit;
  /** Routes marked `@CredentialsEndpoint()`, per client, counted before the credentials are checked. */
  credentialsPerIp: WindowLimit;
  failedCredentials: FailedCredentialLimits;
}

/** Defaults that let people use the product and stop scripts: tighten them, rarely loosen them. */
export const DEFAULT_RATE_LIMITS: Omit<RateLimitOptions, 'redisUrl' | 'keyPrefix'> = {
  ipv6PrefixLength: 64,
  general: { limit: 300, windowMs: 60_000 },
  credentialsPerIp: { limit: 20, windowMs: 60_000 },
  failedCredentials: {
    perAccountAndClient: { limit: 5, windowMs: 15 * 60_000 },
    perAccount: { limit: 20, windowMs: 60 * 60_000, slowdownMs: 2_000 },
  },
};
