import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { describeConfig } from './describe-config';
import { type ConfigSchema } from './load-config';

const LOADED_CONFIG = Symbol('runnerly:loaded-config');

interface LoadedConfig {
  schema: ConfigSchema<object>;
  config: object;
}

/**
 * Makes a service's validated config injectable by its schema class (`constructor(config: UsersConfig)`)
 * and logs a redacted summary once the application has started.
 */
@Module({})
export class ServiceConfigModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('Config');

  constructor(@Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig) {}

  static forRoot<T extends object>(schema: ConfigSchema<T>, config: Readonly<T>): DynamicModule {
    return {
      module: ServiceConfigModule,
      global: true,
      providers: [
        { provide: schema, useValue: config },
        { provide: LOADED_CONFIG, useValue: { schema, config } },
      ],
      exports: [schema],
    };
  }

  onApplicationBootstrap(): void {
    this.logger.log(
      { config: describeConfig(this.loaded.schema, this.loaded.config) },
      'Configuration loaded',
    );
  }
}
