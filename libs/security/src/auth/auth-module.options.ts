import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type KeyResolver } from '../tokens/key-resolver';
import { type SessionValidator } from './session-validator';

export interface AuthModuleOptions {
  /** The `iss` every accepted token must carry. */
  issuer: string;
  /** Where public keys come from: the issuer's key ring, or a JwksKeyResolver. */
  keyResolver: KeyResolver;
  /** Clock skew allowed on `exp`/`nbf`/`iat`, in seconds. Default: 30. */
  clockToleranceSeconds?: number;
  /**
   * Whether a user token's session still stands, and with which role. Default: the list of revoked
   * sessions (`RevokedSessions`), which `users` fills; `users` itself asks its database.
   */
  sessionValidator?: SessionValidator;
  /**
   * How recent the session's last password entry must be on `@RequireRecentAuthentication()` routes, in
   * seconds. Default: DEFAULT_RECENT_AUTHENTICATION_SECONDS.
   */
  recentAuthenticationSeconds?: number;
  /**
   * Admin powers need a session that entered a second factor: an admin's token without `mfa` in its `amr`
   * counts as a user's (`adminSecondFactorRequired(config)`). Default: false.
   */
  adminSecondFactorRequired?: boolean;
}

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

/** As long as a user's access token lives: a login is fresh enough for the whole life of its first token. */
export const DEFAULT_RECENT_AUTHENTICATION_SECONDS = 15 * 60;

export const { ConfigurableModuleClass: ConfigurableAuthModule, MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<AuthModuleOptions>()
    .setClassMethodName('forRoot')
    // Global, so that any feature module can inject RevokedSessions (users adds to it).
    .setExtras({}, (definition) => ({ ...definition, global: true }))
    .build();
