import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { HealthController, READINESS_CHECKS } from './health.controller';
import { type ReadinessCheck } from './readiness-check';

/** `/health/live` and `/health/ready`; readiness is the AND of the given checks (injectable classes). */
@Module({})
export class HealthModule {
  static forRoot(checks: Type<ReadinessCheck>[], providers: Provider[] = []): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [
        ...providers,
        ...checks,
        {
          provide: READINESS_CHECKS,
          useFactory: (...instances: ReadinessCheck[]) => instances,
          inject: checks,
        },
      ],
    };
  }
}
