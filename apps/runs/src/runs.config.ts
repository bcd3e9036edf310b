import { Type } from 'class-transformer';
import { IsInt, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { DatabaseServiceConfig } from '@runnerly/database';
import { JWKS_DEFAULTS } from '@runnerly/security';

/** Everything `runs` reads from its environment, validated at boot. See docs/reference/configuration.md. */
export class RunsConfig extends DatabaseServiceConfig {
  override PORT = 3002;

  /** Where `users` publishes its public keys. `runs` only verifies tokens: it never holds a private key. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2048)
  JWKS_URL = 'http://127.0.0.1:3001/.well-known/jwks.json';

  /** Known keys are fetched again after this long. */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(24 * 60 * 60_000)
  JWKS_CACHE_TTL_MS: number = JWKS_DEFAULTS.cacheTtlMs;

  /**
   * A token naming an unknown key id makes `runs` fetch the JWKS again (a key rotation), at most this
   * often: forged kids cannot turn `runs` into a flood against `users`.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(10 * 60_000)
  JWKS_MIN_REFETCH_INTERVAL_MS: number = JWKS_DEFAULTS.minRefetchIntervalMs;
}
