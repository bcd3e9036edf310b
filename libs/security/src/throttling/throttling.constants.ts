import { SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';

/** Names of the rate limits. `general` applies to every route; the `credentials-*` ones to login-like routes. */
export const Throttler = {
  General: 'general',
  CredentialsPerIp: 'credentials-ip',
  CredentialsPerAccount: 'credentials-account',
} as const;

export const IS_CREDENTIALS_ENDPOINT = 'runnerly:credentials-endpoint';

/**
 * Marks a route that checks credentials (login, register, password change, client credentials): it then
 * also counts against the strict per-IP and per-account limits, which stop password guessing and
 * credential stuffing (OWASP API4, API2).
 */
export const CredentialsEndpoint = () => SetMetadata(IS_CREDENTIALS_ENDPOINT, true);

/** Exempts a route from every Runnerly rate limit (health probes, which orchestrators call constantly). */
export const SkipRateLimit = () =>
  SkipThrottle({
    [Throttler.General]: true,
    [Throttler.CredentialsPerIp]: true,
    [Throttler.CredentialsPerAccount]: true,
  });
