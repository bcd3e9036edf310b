import { Inject, Injectable, Logger } from '@nestjs/common';
import * as client from 'openid-client';
import { type OidcSettings } from '../users.config';

/** The injection token of the provider's settings (null when OIDC sign-in is off). */
export const OIDC_SETTINGS = Symbol('OIDC_SETTINGS');

/** The callback path under the public origin: the redirect URI to register at the provider. */
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

export interface RelyingPartySettings extends OidcSettings {
  /** `${PUBLIC_ORIGIN}/api/auth/oidc/callback`, exactly as registered at the provider. */
  redirectUri: string;
}

/** The scopes asked of the provider: who the user is, and an email address to find or create the account. */
const SCOPE = 'openid email profile';

/** How long one call to the provider (discovery, token endpoint, keys) may take, in seconds. */
const PROVIDER_TIMEOUT_SECONDS = 5;

/** What the provider proved, from the ID token whose signature, issuer, audience, nonce and expiry were checked. */
export interface ProvenIdentity {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
}

/** What one sign-in keeps between the redirect to the provider and its answer. */
export interface SignInChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * The relying party of "Sign in with OpenID Connect", on openid-client (a certified implementation): the
 * Authorization Code flow with PKCE (S256), state and nonce. The provider's metadata and keys come from its
 * discovery document, read on the first sign-in (not at boot: a provider that is down must not stop `users`)
 * and kept; a failed read is tried again on the next sign-in. openid-client refuses a discovery document
 * whose `issuer` is not the configured one, and, at the callback, an `iss` response parameter (RFC 9207) or
 * an ID token whose issuer, audience (our client id), signature, nonce or lifetime is not right.
 */
@Injectable()
export class OidcRelyingParty {
  private readonly logger = new Logger('OidcRelyingParty');
  private discovered?: Promise<client.Configuration>;

  constructor(@Inject(OIDC_SETTINGS) private readonly settings: RelyingPartySettings) {}

  get redirectUri(): string {
    return this.settings.redirectUri;
  }

  async authorizationUrl(checks: SignInChecks): Promise<string> {
    const url = client.buildAuthorizationUrl(await this.configuration(), {
      redirect_uri: this.settings.redirectUri,
      scope: SCOPE,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
    return url.href;
  }

  /**
   * Exchanges the code of the provider's answer (the raw query string of the callback) for tokens, with every
   * check of the flow; throws when one fails.
   */
  async redeem(callbackQuery: string, checks: SignInChecks): Promise<ProvenIdentity> {
    const callbackUrl = new URL(this.settings.redirectUri);
    callbackUrl.search = callbackQuery;
    const tokens = await client.authorizationCodeGrant(await this.configuration(), callbackUrl, {
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      pkceCodeVerifier: checks.codeVerifier,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof claims.email === 'string' ? claims.email : undefined,
      // Only a JSON true counts: "true", 1 or an absent claim do not.
      emailVerified: claims.email_verified === true,
      name: typeof claims.name === 'string' ? claims.name : undefined,
    };
  }

  private configuration(): Promise<client.Configuration> {
    this.discovered ??= this.discover().catch((error: unknown) => {
      this.discovered = undefined;
      throw error;
    });
    return this.discovered;
  }

  private async discover(): Promise<client.Configuration> {
    const configuration = await client.discovery(
      new URL(this.settings.issuer),
      this.settings.clientId,
      undefined,
      client.ClientSecretBasic(this.settings.clientSecret),
      {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        // Outside production only (the config refuses an http issuer there): a provider on this machine.
        execute: this.settings.allowHttp ? [client.allowInsecureRequests] : [],
      },
    );
    this.logger.log({ issuer: configuration.serverMetadata().issuer }, 'OpenID provider discovered');
    return configuration;
  }
}
