import { SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';

/** Names of the request rate limits. `general` applies to every route; `credentials-ip` to login-like routes. */
export const Throttler = {
  General: 'general',
  CredentialsPerIp: 'credentials-ip',
} as const;

export const IS_CREDENTIALS_ENDPOINT = 'runnerly:credentials-endpoint';

/**
 * Marks a route that checks credentials (login, register, refresh, password change, client credentials):
 * it then also counts against the strict per-client limit, which stops one client from trying many
 * accounts (credential stuffing, OWASP API2 and API4). Guessing one account's password is stopped by
 * `CredentialThrottle`, which the route's service calls around the check itself.
 */
export const CredentialsEndpoint = () => SetMetadata(IS_CREDENTIALS_ENDPOINT, true);

/** Exempts a route from every Runnerly rate limit (health probes, which orchestrators call constantly). */
export const SkipRateLimit = () =>
  SkipThrottle({
    [Throttler.General]: true,
    [Throttler.CredentialsPerIp]: true,
  });
