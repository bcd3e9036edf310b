import { type DynamicModule, Module } from '@nestjs/common';
import { type DestinationStream } from 'pino';
import {
  type BaseServiceConfig,
  loggingOptionsFrom,
  rateLimitOptionsFrom,
} from './config/base-service.config';
import { type ConfigSchema } from './config/load-config';
import { ServiceConfigModule } from './config/service-config.module';
import { HttpSecurityModule } from './http/http-security.module';
import { LoggingModule } from './logging/logging.module';
import { RateLimitModule } from './throttling/rate-limit.module';

export interface ServiceFoundationOptions<Config extends BaseServiceConfig> {
  /** The service's name, in every log line and in its rate-limit namespace. */
  service: string;
  schema: ConfigSchema<Config>;
  config: Readonly<Config>;
  /** `AuthModule.forRoot(...)` or `AuthModule.forRootAsync(...)`: how this service verifies tokens. */
  authentication: DynamicModule;
  /** Where logs go. Default: stdout. Tests pass a LogCapture. */
  logDestination?: DestinationStream;
}

/** What a service's tests may change when they build it (its `create…App`): only where its logs go. */
export type ServiceOverrides = Pick<ServiceFoundationOptions<BaseServiceConfig>, 'logDestination'>;

/**
 * What every Runnerly service imports first: its validated config, logging and audit, the validation
 * pipe and safe errors, rate limiting, then authentication. The order is the point: global guards run
 * in the order their modules are registered, and rate limits must also count the requests that fail
 * authentication. (Nest orders global enhancers by module depth too, so all of them live here, at one
 * depth, rather than some here and some in the service's root module.)
 */
@Module({})
export class ServiceFoundationModule {
  static forRoot<Config extends BaseServiceConfig>(options: ServiceFoundationOptions<Config>): DynamicModule {
    const { service, schema, config, authentication, logDestination } = options;
    return {
      module: ServiceFoundationModule,
      imports: [
        ServiceConfigModule.forRoot(schema, config),
        LoggingModule.forRoot({ ...loggingOptionsFrom(config, service), destination: logDestination }),
        HttpSecurityModule,
        RateLimitModule.forRoot(rateLimitOptionsFrom(config, service)),
        authentication,
      ],
    };
  }
}
