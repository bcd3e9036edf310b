import { type DynamicModule, Global, Module } from '@nestjs/common';
import { type ServiceOverrides, ServiceFoundationModule } from '@runnerly/platform';
import { adminSecondFactorRequired, AuthModule, PasswordHasher, SigningKeyRing } from '@runnerly/security';
import { DataSource } from 'typeorm';
import { Account } from './accounts/account.entity';
import { AccountsModule } from './accounts/accounts.module';
import { AuthFeatureModule } from './auth/auth-feature.module';
import { KeysModule } from './keys/keys.module';
import { CreateIdentityTables1732300000000 } from './migrations/1732300000000-create-identity-tables';
import { CreateRunPurgeOutbox1732300000001 } from './migrations/1732300000001-create-run-purge-outbox';
import { AddSessionClientDescription1732300000002 } from './migrations/1732300000002-add-session-client-description';
import { AddSessionAuthenticatedAt1732300000003 } from './migrations/1732300000003-add-session-authenticated-at';
import { CreateSecondFactorTables1732300000004 } from './migrations/1732300000004-create-second-factor-tables';
import { CreateEmailLinkTables1732300000005 } from './migrations/1732300000005-create-email-link-tables';
import { AddSessionSecondFactor1732300000006 } from './migrations/1732300000006-add-session-second-factor';
import { CreateOidcTables1732300000007 } from './migrations/1732300000007-create-oidc-tables';
import { OAuthModule } from './oauth/oauth.module';
import { OidcModule } from './oidc/oidc.module';
import { RunPurgeRequest } from './run-purge/run-purge-request.entity';
import { RefreshToken } from './sessions/refresh-token.entity';
import { LiveSessions } from './sessions/live-sessions';
import { Session } from './sessions/session.entity';
import { UsersConfig } from './users.config';

export const USERS_ENTITIES = [Account, Session, RefreshToken, RunPurgeRequest];
export const USERS_MIGRATIONS = [
  CreateIdentityTables1732300000000,
  CreateRunPurgeOutbox1732300000001,
  AddSessionClientDescription1732300000002,
  AddSessionAuthenticatedAt1732300000003,
  CreateSecondFactorTables1732300000004,
  CreateEmailLinkTables1732300000005,
  AddSessionSecondFactor1732300000006,
  CreateOidcTables1732300000007,
];

/** argon2id at the OWASP parameters, with the configured number of hashes at a time. */
@Global()
@Module({
  providers: [
    {
      provide: PasswordHasher,
      inject: [UsersConfig],
      useFactory: (config: UsersConfig) =>
        new PasswordHasher({ maxConcurrent: config.PASSWORD_HASH_CONCURRENCY }),
    },
  ],
  exports: [PasswordHasher],
})
class PasswordsModule {}

/**
 * The `users` service: identity provider and sole holder of the signing key. The security foundation
 * comes first, then authentication (so that rate limits count failed attempts too).
 */
@Module({})
export class UsersModule {
  static forRoot(config: UsersConfig, overrides: ServiceOverrides = {}): DynamicModule {
    return {
      module: UsersModule,
      imports: [
        ServiceFoundationModule.forRoot({
          service: 'users',
          schema: UsersConfig,
          config,
          // users verifies its own tokens with its key ring, and their sessions in its database; the other
          // services use its JWKS and the revoked sessions it publishes.
          authentication: AuthModule.forRootAsync({
            inject: [SigningKeyRing, DataSource],
            useFactory: (keys: SigningKeyRing, dataSource: DataSource) => ({
              issuer: config.JWT_ISSUER,
              keyResolver: keys,
              sessionValidator: new LiveSessions(dataSource),
              recentAuthenticationSeconds: config.RECENT_AUTHENTICATION_SECONDS,
              adminSecondFactorRequired: adminSecondFactorRequired(config),
            }),
          }),
          database: { entities: USERS_ENTITIES, migrations: USERS_MIGRATIONS },
          features: [KeysModule, PasswordsModule, AccountsModule, AuthFeatureModule, OAuthModule, OidcModule],
          logDestination: overrides.logDestination,
        }),
      ],
    };
  }
}
