import { type DynamicModule, Module } from '@nestjs/common';
import { CreateIdempotencyKeys1765000000000, IdempotencyRecord } from '@runnerly/database';
import { jwksAuthentication, type ServiceOverrides, ServiceFoundationModule } from '@runnerly/platform';
import { ErasedAccount } from './erasure/erased-account.entity';
import { CreateRunsTable1732400000000 } from './migrations/1732400000000-create-runs-table';
import { CreateErasedAccounts1732400000001 } from './migrations/1732400000001-create-erased-accounts';
import { PurgeModule } from './purge/purge.module';
import { RunsConfig } from './runs.config';
import { Run } from './runs/run.entity';
import { RunsFeatureModule } from './runs/runs-feature.module';

export const RUNS_ENTITIES = [Run, ErasedAccount, IdempotencyRecord];
export const RUNS_MIGRATIONS = [
  CreateRunsTable1732400000000,
  CreateErasedAccounts1732400000001,
  CreateIdempotencyKeys1765000000000,
];

/**
 * The `runs` service: the runners' activities. It verifies the tokens `users` signs with the keys
 * `users` publishes, and cannot mint any. The security foundation comes first,
 * then authentication (so that rate limits count failed attempts too).
 */
@Module({})
export class RunsModule {
  static forRoot(config: RunsConfig, overrides: ServiceOverrides = {}): DynamicModule {
    return {
      module: RunsModule,
      imports: [
        ServiceFoundationModule.forRoot({
          service: 'runs',
          schema: RunsConfig,
          config,
          authentication: jwksAuthentication(config),
          database: { entities: RUNS_ENTITIES, migrations: RUNS_MIGRATIONS },
          features: [RunsFeatureModule, PurgeModule],
          logDestination: overrides.logDestination,
        }),
      ],
    };
  }
}
