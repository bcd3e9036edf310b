import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsString, IsUrl, Matches, Max, MaxLength, Min } from 'class-validator';
import { BaseServiceConfig, JWKS_DEFAULTS, Secret, ToBoolean } from '@runnerly/security';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** Everything `runs` reads from its environment, validated at boot. See docs/reference/configuration.md. */
export class RunsConfig extends BaseServiceConfig {
  override PORT = 3002;

  /** The `runs` database, with a role that can use nothing else (not even the `users` database). */
  @Secret({ kind: 'url-password' })
  @Matches(POSTGRES_URL, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @ToBoolean()
  @IsBoolean()
  DATABASE_MIGRATE_ON_START = true;

  /** The `iss` of the tokens `users` signs; a token from any other issuer is refused. */
  @IsString()
  @MaxLength(200)
  JWT_ISSUER = 'runnerly-users';

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
