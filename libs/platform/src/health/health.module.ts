import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { HealthController, READINESS_CACHE_MS, READINESS_CHECKS } from './health.controller';
import { type ReadinessCheck } from './readiness-check';

/** How long one readiness result answers every probe. */
export const DEFAULT_READINESS_CACHE_MS = 1_000;

/**
 * `/health/live` and `/health/ready`; readiness is the AND of the given checks (injectable classes).
 * `imports` are the modules that provide what the checks depend on.
 */
@Module({})
export class HealthModule {
  static forRoot(
    checks: Type<ReadinessCheck>[],
    imports: ModuleMetadata['imports'] = [],
    options: { readinessCacheMs?: number } = {},
  ): DynamicModule {
    return {
      module: HealthModule,
      imports,
      controllers: [HealthController],
      providers: [
        ...checks,
        { provide: READINESS_CACHE_MS, useValue: options.readinessCacheMs ?? DEFAULT_READINESS_CACHE_MS },
        {
          provide: READINESS_CHECKS,
          useFactory: (...instances: ReadinessCheck[]) => instances,
          inject: checks,
        },
      ],
    };
  }
}
