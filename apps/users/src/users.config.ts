import { Type } from 'class-transformer';
import {
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { DatabaseServiceConfig } from '@runnerly/database';
import {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_RECENT_AUTHENTICATION_SECONDS,
  EncryptedInProduction,
  IsFieldEncryptionKeyRing,
  isHttps,
  IsPublicKeyBundle,
  NormalizeEmail,
  PublicOrigin,
  Secret,
} from '@runnerly/security';

/** Everything `users` reads from its environment, validated at boot. See docs/reference/configuration.md. */
export class UsersConfig extends DatabaseServiceConfig {
  override PORT = 3001;

  /**
   * PEM private key that signs tokens. Required in production; in development a key is generated into
   * DEV_SECRETS_DIR on first start.
   */
  @Secret({ kind: 'private-key' })
  @IsOptional()
  @IsString()
  JWT_PRIVATE_KEY?: string;

  /**
   * Keys that encrypt the secrets `users` must read back (TOTP secrets), AES-256-GCM:
   * `<key id>:<32 random bytes, base64url>`, comma-separated; the first encrypts, every one decrypts, so a new key
   * goes first and the old one stays until `users-cli reencrypt-secrets` has moved every value. Required in
   * production; in development a key is generated into DEV_SECRETS_DIR on first start. Checked when the
   * config loads, as FieldEncryption reads it (every key exactly 32 bytes), not by the strength rules of random
   * strings.
   */
  @Secret({ kind: 'document' })
  @IsOptional()
  @IsFieldEncryptionKeyRing()
  DATA_ENCRYPTION_KEYS?: string;

  /**
   * SPKI PEM public keys of retired signing keys, still published until the tokens they signed expire.
   * Anything else (a private key, a PKCS#1 key, no key at all) stops the boot.
   */
  @IsOptional()
  @IsPublicKeyBundle()
  JWT_RETIRED_PUBLIC_KEYS?: string;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(3600)
  ACCESS_TOKEN_TTL_SECONDS = DEFAULT_ACCESS_TOKEN_TTL_SECONDS;

  /** Admin access tokens live shorter: where no revocation list reaches, this bounds a demoted admin's token. */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(3600)
  ADMIN_ACCESS_TOKEN_TTL_SECONDS = DEFAULT_ADMIN_ACCESS_TOKEN_TTL_SECONDS;

  /**
   * Step-up: how recently the session must have entered its password (login or POST /users/me/reauthenticate)
   * for account deletion and role changes. Default: an access token's life.
   */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(86_400)
  RECENT_AUTHENTICATION_SECONDS = DEFAULT_RECENT_AUTHENTICATION_SECONDS;

  /** Absolute lifetime of a session: a refresh-token family ends this long after login, whatever its use. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(90)
  REFRESH_TOKEN_TTL_DAYS = 30;

  /** JSON list of service clients: `[{"clientId","secretHash":"sha256:<hex>","scopes":[...]}]`. */
  @Secret({ kind: 'document', requiredInProduction: false })
  @IsOptional()
  @IsString()
  OAUTH_CLIENTS?: string;

  @Type(() => Number)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASH_CONCURRENCY?: number;

  /**
   * Creates the first admin at start when no admin exists yet (the password from a secret file).
   * Normalised as every email is, so that the admin logs in with any spelling of it.
   */
  @IsOptional()
  @NormalizeEmail()
  @IsEmail()
  BOOTSTRAP_ADMIN_EMAIL?: string;

  @Secret({ kind: 'random', requiredInProduction: false, minLength: 12 })
  @IsOptional()
  @IsString()
  BOOTSTRAP_ADMIN_PASSWORD?: string;

  /** Base URL of `runs`, for purging a deleted account's runs. Unset: purges wait in the outbox. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  @EncryptedInProduction(isHttps, 'use an https:// URL')
  RUNS_URL?: string;

  /** How often pending run purges are retried. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  RUN_PURGE_POLL_INTERVAL_MS = 5_000;

  /** A failed purge waits this long, doubling per attempt, up to 5 minutes. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(300_000)
  RUN_PURGE_RETRY_BASE_MS = 1_000;

  /**
   * The origin the links in mails open (`https://runnerly.example`): configured, never taken from a request's
   * Host or X-Forwarded-Host header, which an attacker sets to send a victim a reset link to their own site.
   * Required in production; in development and tests, the gateway of `npm start` (DEVELOPMENT_PUBLIC_ORIGIN).
   */
  @PublicOrigin()
  PUBLIC_ORIGIN?: string;

  /**
   * Where mail goes: `smtp://user:password@host:587` (STARTTLS when the server offers it) or `smtps://…:465`.
   * Unset: mails wait in the outbox (a warning at boot says so) until it is set. A secret (it may carry the
   * password), redacted whole; not judged by password strength, as a relay on a private network may need none.
   */
  @Secret({ kind: 'document', requiredInProduction: false })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['smtp', 'smtps'] })
  SMTP_URL?: string;

  /** The sender of every mail. */
  @IsString()
  MAIL_FROM = 'Runnerly <no-reply@runnerly.localhost>';

  /** How often the mail outbox is checked for mails due (a new mail is also sent at once). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  MAIL_POLL_INTERVAL_MS = 5_000;

  /** A mail that SMTP refused waits this long, doubling per attempt, up to 5 minutes. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(300_000)
  MAIL_RETRY_BASE_MS = 2_000;

  /**
   * "Sign in with OpenID Connect": the provider's issuer identifier, exactly as its discovery document names it
   * (`https://accounts.example.com`). Its `/.well-known/openid-configuration` is read on the first sign-in.
   * https only in production; http is allowed elsewhere for a provider run by the tests or on this machine.
   * The four OIDC_* variables come together: all unset turns the feature off, some of them stops the boot.
   */
  @ValidateIf(oidcVariablesGiven)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @HttpsIssuerInProduction()
  OIDC_ISSUER?: string;

  /** The client id Runnerly was registered with at the provider. */
  @ValidateIf(oidcVariablesGiven)
  @IsString()
  @Length(1, 255)
  OIDC_CLIENT_ID?: string;

  /**
   * The client secret the provider issued (`client_secret_basic`); give it as OIDC_CLIENT_SECRET_FILE. Judged
   * like every random secret in production, though shorter: some providers issue 24-character secrets.
   */
  @Secret({ kind: 'random', requiredInProduction: false, minLength: 16 })
  @ValidateIf(oidcVariablesGiven)
  @IsString()
  @Length(1, 512)
  OIDC_CLIENT_SECRET?: string;

  /** The provider's name on the sign-in button ("Sign in with <name>"). */
  @ValidateIf(oidcVariablesGiven)
  @IsString()
  @Length(1, 40)
  @Matches(/^[\p{L}\p{N} .'&()-]+$/u, { message: 'OIDC_PROVIDER_NAME must be a plain name' })
  OIDC_PROVIDER_NAME?: string;

  /** Where development keys are generated (git-ignored). Never used in production. */
  @IsString()
  DEV_SECRETS_DIR = '.runnerly/secrets';
}

const OIDC_VARIABLES = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_PROVIDER_NAME'] as const;

/** Any OIDC_* variable given makes all four required: half a configuration stops the boot. */
function oidcVariablesGiven(config: UsersConfig): boolean {
  return OIDC_VARIABLES.some((name) => config[name] !== undefined);
}

/** The OpenID Connect provider, when one is configured (all four variables, validated at boot). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  providerName: string;
  /** http is refused in production by the config's validation; elsewhere openid-client is allowed it. */
  allowHttp: boolean;
}

export function oidcSettings(config: UsersConfig): OidcSettings | undefined {
  if (
    !config.OIDC_ISSUER ||
    !config.OIDC_CLIENT_ID ||
    !config.OIDC_CLIENT_SECRET ||
    !config.OIDC_PROVIDER_NAME
  )
    return undefined;
  return {
    issuer: config.OIDC_ISSUER,
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    providerName: config.OIDC_PROVIDER_NAME,
    allowHttp: config.NODE_ENV !== 'production',
  };
}

/**
 * An issuer over https in production, whatever ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS says: the provider is
 * outside our network, and its discovery document, keys and tokens decide who signs in.
 */
function HttpsIssuerInProduction(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'httpsIssuerInProduction',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be an https:// URL in production` },
      validator: {
        validate: (value: unknown, args?: ValidationArguments) =>
          (args?.object as UsersConfig | undefined)?.NODE_ENV !== 'production' ||
          (typeof value === 'string' && value.startsWith('https://')),
      },
    });
}
