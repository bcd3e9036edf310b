import { type DynamicModule } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { DatabaseServiceConfig } from '@runnerly/database';
import {
  adminSecondFactorRequired,
  AuthModule,
  EncryptedInProduction,
  internalFetch,
  isHttps,
  JWKS_DEFAULTS,
  JwksKeyResolver,
} from '@runnerly/security';
import { JWKS_PATH, localServiceUrl, TOKEN_ISSUER } from './service-manifest';

/**
 * The config of an internal service that owns a database and verifies the tokens `users` signs, with the keys
 * `users` publishes (`runs`, and every generated service). It never holds a private key.
 */
export class ResourceServiceConfig extends DatabaseServiceConfig {
  /** Where `users` publishes its public keys. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2048)
  @EncryptedInProduction(isHttps, 'use an https:// URL')
  JWKS_URL = `${localServiceUrl(TOKEN_ISSUER)}${JWKS_PATH}`;

  /** Known keys are fetched again after this long. */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(24 * 60 * 60_000)
  JWKS_CACHE_TTL_MS: number = JWKS_DEFAULTS.cacheTtlMs;

  /**
   * A token naming an unknown key id makes the service fetch the JWKS again (a key rotation), at most this
   * often: forged kids cannot turn it into a flood against `users`.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(10 * 60_000)
  JWKS_MIN_REFETCH_INTERVAL_MS: number = JWKS_DEFAULTS.minRefetchIntervalMs;
}

/** Authentication of a resource service: tokens of `JWT_ISSUER`, verified with the keys at `JWKS_URL`. */
export function jwksAuthentication(config: ResourceServiceConfig): DynamicModule {
  return AuthModule.forRoot({
    issuer: config.JWT_ISSUER,
    adminSecondFactorRequired: adminSecondFactorRequired(config),
    keyResolver: new JwksKeyResolver({
      url: config.JWKS_URL,
      fetch: internalFetch(config),
      cacheTtlMs: config.JWKS_CACHE_TTL_MS,
      minRefetchIntervalMs: config.JWKS_MIN_REFETCH_INTERVAL_MS,
    }),
  });
}
