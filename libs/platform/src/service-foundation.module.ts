import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import {
  DatabaseModule,
  type DatabaseOptions,
  databaseOptionsFrom,
  DatabaseServiceConfig,
} from '@runnerly/database';
import {
  type BaseServiceConfig,
  type ConfigSchema,
  HttpSecurityModule,
  LoggingModule,
  loggingOptionsFrom,
  RateLimitModule,
  rateLimitOptionsFrom,
  ServiceConfigModule,
} from '@runnerly/security';
import { type DestinationStream } from 'pino';
import { DatabaseReadiness } from './health/database.readiness';
import { HealthModule } from './health/health.module';
import { RateLimitStorageReadiness } from './health/rate-limit-storage.readiness';
import { type ReadinessCheck } from './health/readiness-check';
import { MetricsModule } from './metrics/metrics.module';
import { runningTracing } from './tracing/start-tracing';
import { TracingShutdown } from './tracing/tracing-shutdown';

export interface ServiceFoundationOptions<Config extends BaseServiceConfig> {
  /** The service's name, in every log line, its rate-limit namespace and its database connections. */
  service: string;
  schema: ConfigSchema<Config>;
  config: Readonly<Config>;
  /** `AuthModule.forRoot(...)` or `AuthModule.forRootAsync(...)`: how this service verifies tokens. */
  authentication: DynamicModule;
  /**
   * The service's own PostgreSQL database: its entities and migrations. The connection settings come from
   * its config (a `DatabaseServiceConfig`), and readiness then waits for the database.
   */
  database?: Config extends DatabaseServiceConfig ? Pick<DatabaseOptions, 'entities' | 'migrations'> : never;
  /** The service's own modules: its routes and what they use. */
  features: NonNullable<ModuleMetadata['imports']>;
  /** Readiness checks beyond the foundation's (database, rate-limit storage), with the modules they need. */
  readiness?: { checks: Type<ReadinessCheck>[]; imports?: ModuleMetadata['imports'] };
  /** Where logs go. Default: stdout. Tests pass a LogCapture. */
  logDestination?: DestinationStream;
}

/** What a service's tests may change when they build it (its `create…App`): only where its logs go. */
export type ServiceOverrides = Pick<ServiceFoundationOptions<BaseServiceConfig>, 'logDestination'>;

/**
 * A whole service from a few declared options: its validated config, logging and audit, its metrics (on
 * their own listener, METRICS_PORT), the validation pipe
 * and safe errors, rate limiting, then authentication; its database; its features; and health last. The
 * order is the point: global guards run in the order their modules are registered, and rate limits must also
 * count the requests that fail authentication. (Nest orders global enhancers by module depth too, so all of
 * them are registered here, at one depth, rather than some here and some in the service's root module.)
 */
@Module({})
export class ServiceFoundationModule {
  static forRoot<Config extends BaseServiceConfig>(options: ServiceFoundationOptions<Config>): DynamicModule {
    const { service, schema, config, authentication, database, features, readiness, logDestination } =
      options;
    // Started by the service's main before the application was loaded, when a collector is configured.
    const tracing = runningTracing();
    return {
      module: ServiceFoundationModule,
      // The spans still batched are sent when the application closes.
      providers: tracing ? [{ provide: TracingShutdown, useValue: new TracingShutdown(tracing) }] : [],
      imports: [
        ServiceConfigModule.forRoot(schema, config),
        LoggingModule.forRoot({
          ...loggingOptionsFrom(config, service),
          destination: logDestination,
          // Each line written inside a traced request names its trace and span beside the request id.
          ...(tracing ? { mixin: tracing.logFields } : {}),
        }),
        // Off unless asked for: no listener, and no counting either, so that "off" costs nothing.
        ...(config.METRICS_PORT === undefined
          ? []
          : [MetricsModule.forRoot({ service, port: config.METRICS_PORT, host: config.METRICS_HOST })]),
        HttpSecurityModule,
        RateLimitModule.forRoot(rateLimitOptionsFrom(config, service)),
        authentication,
        ...(database ? [databaseModule(config, service, database)] : []),
        ...features,
        HealthModule.forRoot(
          [...(database ? [DatabaseReadiness] : []), RateLimitStorageReadiness, ...(readiness?.checks ?? [])],
          readiness?.imports,
        ),
      ],
    };
  }
}

/** The service's database module, its connection settings read from its config. */
function databaseModule(
  config: Readonly<BaseServiceConfig>,
  service: string,
  database: Pick<DatabaseOptions, 'entities' | 'migrations'>,
): DynamicModule {
  if (!(config instanceof DatabaseServiceConfig))
    throw new Error(
      `${service}: a service with a database needs a config class that extends DatabaseServiceConfig`,
    );
  return DatabaseModule.forRoot(databaseOptionsFrom(config, service, database));
}
