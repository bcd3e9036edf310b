import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  JWKS_PATH,
  localServiceUrl,
  serviceUrlVariable,
  TOKEN_ISSUER,
  type UpstreamName,
  UPSTREAMS,
} from '@runnerly/platform';
import {
  BaseServiceConfig,
  CommaSeparated,
  EncryptedInProduction,
  isHttps,
  PublicOrigin,
  ToBoolean,
} from '@runnerly/security';

const SERVICE_URL = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** More instances than this per service is a configuration mistake (a load balancer belongs in front). */
const MAX_INSTANCES = 16;

/** Everything the gateway reads from its environment, validated at boot. */
export class GatewayConfig extends BaseServiceConfig {
  override PORT = 3000;

  /** The public edge limits open connections per client (0 behind a load balancer that does it). */
  override HTTP_MAX_CONNECTIONS_PER_CLIENT = 100;

  /** Where the public keys of `users` are published; the gateway pre-checks tokens with them. */
  @IsUrl(SERVICE_URL)
  @EncryptedInProduction(isHttps, 'use an https:// URL')
  JWKS_URL = `${localServiceUrl(TOKEN_ISSUER)}${JWKS_PATH}`;

  /** Browser origins allowed to call the API, comma-separated, exact (https://app.example.com). Empty: none. */
  @CommaSeparated()
  @IsString({ each: true })
  @Matches(/^https?:\/\/[^/\s*]+$/, {
    each: true,
    message: 'CORS_ORIGINS entries must be origins like https://app.example.com',
  })
  @ArrayMaxSize(50)
  CORS_ORIGINS: string[] = [];

  /**
   * The origin the web client's pages are served from, as a browser shows it (`https://runnerly.example`):
   * the only origin whose pages may use the browser session routes (the refresh cookie). Required in
   * production; in development and tests, `http://localhost:<PORT>`.
   */
  @PublicOrigin()
  PUBLIC_ORIGIN?: string;

  /**
   * The built web client (`apps/web/dist`: index.html and assets/), served at `/`. Unset: the gateway serves
   * the API only, and `/` is a 404.
   */
  @IsOptional()
  @IsString()
  WEB_CLIENT_ROOT?: string;

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

  constructor() {
    super();
    // Each upstream's instances (declared below) default to the service on this machine, at its manifest port.
    for (const upstream of UPSTREAMS)
      Object.assign(this, { [serviceUrlVariable(upstream)]: [localServiceUrl(upstream)] });
  }
}

/**
 * The instances of each internal service of the manifest, from its variable: `USERS_URL`, `RUNS_URL`, ...
 * (comma-separated base URLs; the gateway balances across them). Declared here, one per upstream, with the
 * validation a hand-written field would carry, so a service added to the manifest needs no gateway config.
 */
export function instancesOf(config: GatewayConfig, upstream: UpstreamName): readonly string[] {
  return (config as unknown as Record<string, string[]>)[serviceUrlVariable(upstream)]!;
}

for (const upstream of UPSTREAMS) {
  const variable = serviceUrlVariable(upstream);
  for (const decorate of [
    CommaSeparated(),
    IsUrl(SERVICE_URL, { each: true }),
    EncryptedInProduction(isHttps, 'use https:// URLs'),
    ArrayNotEmpty(),
    ArrayMaxSize(MAX_INSTANCES),
  ])
    decorate(GatewayConfig.prototype, variable);
}

/** The origin of the site's own pages (see PUBLIC_ORIGIN). */
export function publicOrigin(config: GatewayConfig): string {
  return config.PUBLIC_ORIGIN ?? `http://localhost:${config.PORT}`;
}

export function docsEnabled(config: GatewayConfig): boolean {
  return config.DOCS_ENABLED ?? config.NODE_ENV === 'development';
}
