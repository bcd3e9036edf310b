import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuthFeatureModule } from '../auth/auth-feature.module';
import { DEVELOPMENT_PUBLIC_ORIGIN } from '../email-links/email-link';
import { MfaModule } from '../mfa/mfa.module';
import { oidcSettings, UsersConfig } from '../users.config';
import { ExternalIdentities } from './external-identities';
import {
  OIDC_CALLBACK_PATH,
  OIDC_SETTINGS,
  OidcRelyingParty,
  type RelyingPartySettings,
} from './oidc-relying-party';
import { OidcController } from './oidc.controller';
import { OidcSignIn } from './oidc-sign-in.service';
import { OidcTransactions } from './oidc-transactions';

function relyingPartySettings(config: UsersConfig): RelyingPartySettings | null {
  const settings = oidcSettings(config);
  if (!settings) return null;
  const origin = config.PUBLIC_ORIGIN ?? DEVELOPMENT_PUBLIC_ORIGIN;
  return { ...settings, redirectUri: `${origin}${OIDC_CALLBACK_PATH}` };
}

/** "Sign in with OpenID Connect": the relying party, the sign-ins under way and the linked identities. */
@Module({
  imports: [AccountsModule, AuthFeatureModule, MfaModule],
  controllers: [OidcController],
  providers: [
    { provide: OIDC_SETTINGS, useFactory: relyingPartySettings, inject: [UsersConfig] },
    OidcRelyingParty,
    OidcTransactions,
    ExternalIdentities,
    OidcSignIn,
  ],
})
export class OidcModule {}
