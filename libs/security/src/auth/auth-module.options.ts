import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type KeyResolver } from '../tokens/key-resolver';

export interface AuthModuleOptions {
  /** The `iss` every accepted token must carry. */
  issuer: string;
  /** Where public keys come from: the issuer's key ring, or a JwksKeyResolver. */
  keyResolver: KeyResolver;
  /** Clock skew allowed on `exp`/`nbf`/`iat`, in seconds. Default: 30. */
  clockToleranceSeconds?: number;
}

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

export const { ConfigurableModuleClass: ConfigurableAuthModule, MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<AuthModuleOptions>().setClassMethodName('forRoot').build();
