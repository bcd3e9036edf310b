import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { BaseServiceConfig, ToBoolean } from '@runnerly/security';

const SERVICE_URL = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** Everything the gateway reads from its environment, validated at boot. */
export class GatewayConfig extends BaseServiceConfig {
  override PORT = 3000;

  /** The public edge limits open connections per client (0 behind a load balancer that does it). */
  override HTTP_MAX_CONNECTIONS_PER_CLIENT = 100;

  @IsUrl(SERVICE_URL)
  USERS_URL = 'http://127.0.0.1:3001';

  @IsUrl(SERVICE_URL)
  RUNS_URL = 'http://127.0.0.1:3002';

  /** Where the public keys of `users` are published; the gateway pre-checks tokens with them. */
  @IsUrl(SERVICE_URL)
  JWKS_URL = 'http://127.0.0.1:3001/.well-known/jwks.json';

  /** Browser origins allowed to call the API, comma-separated, exact (https://app.example.com). Empty: none. */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean)
      : value,
  )
  @IsString({ each: true })
  @Matches(/^https?:\/\/[^/\s*]+$/, {
    each: true,
    message: 'CORS_ORIGINS entries must be origins like https://app.example.com',
  })
  @ArrayMaxSize(50)
  CORS_ORIGINS: string[] = [];

  /** An upstream that has not answered within this time gets the client a 504. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  UPSTREAM_TIMEOUT_MS = 10_000;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(30_000)
  UPSTREAM_CONNECT_TIMEOUT_MS = 2_000;

  /** Swagger UI of the whole public API at /docs. Default: on in development only. */
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  DOCS_ENABLED?: boolean;
}

export function docsEnabled(config: GatewayConfig): boolean {
  return config.DOCS_ENABLED ?? config.NODE_ENV === 'development';
}
