import { type DynamicModule, Module } from '@nestjs/common';
import { jwksAuthentication, type ServiceOverrides, ServiceFoundationModule } from '@runnerly/platform';
import { __Name__Config } from './__name__.config';
import { Item } from './items/item.entity';
import { ItemsFeatureModule } from './items/items-feature.module';
import { CreateItemsTable__timestamp__ } from './migrations/__timestamp__-create-items-table';

/** Applied at start, or by `node migrate.js` (src/migrate.ts) before a rollout. */
export const __NAME___MIGRATIONS = [CreateItemsTable__timestamp__];

/**
 * The `__name__` service. It verifies the tokens `users` signs with the keys `users` publishes; the foundation
 * brings config, logging, validation, safe errors, rate limits, authentication, its database and health.
 */
@Module({})
export class __Name__Module {
  static forRoot(config: __Name__Config, overrides: ServiceOverrides = {}): DynamicModule {
    return {
      module: __Name__Module,
      imports: [
        ServiceFoundationModule.forRoot({
          service: '__name__',
          schema: __Name__Config,
          config,
          authentication: jwksAuthentication(config),
          database: { entities: [Item], migrations: __NAME___MIGRATIONS },
          features: [ItemsFeatureModule],
          logDestination: overrides.logDestination,
        }),
      ],
    };
  }
}
