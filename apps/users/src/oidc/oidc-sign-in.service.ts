import { Injectable } from '@nestjs/common';
import {
  AppException,
  AuditEvent,
  AuditLog,
  ErrorCode,
  normalizeEmail,
  type UserPrincipal,
} from '@runnerly/security';
import { type Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { AuthService } from '../auth/auth.service';
import { type TokenPair } from '../auth/dto/token-pair.dto';
import { SecondFactor } from '../mfa/second-factor.service';
import { describeClient } from '../sessions/client-description';
import { ExternalIdentities } from './external-identities';
import { OidcRelyingParty, type ProvenIdentity } from './oidc-relying-party';
import { type OidcTransaction, OidcTransactions } from './oidc-transactions';

/** What the gateway needs to send the browser to the provider. */
export interface StartedSignIn {
  authorizationUrl: string;
  /** Goes into the browser's binding cookie; only its digest is kept here. */
  binding: string;
}

const DISPLAY_NAME_MAX = 100;

/**
 * "Sign in with OpenID Connect" (Authorization Code + PKCE), from the redirect to the provider to a Runnerly
 * session. Which account an identity at the provider opens is decided here, and only in three ways:
 *
 * 1. the identity (issuer, subject) is already linked to an account: that account;
 * 2. the provider says the email is verified (`email_verified: true`) and an account with that email exists
 *    whose owner verified it here too: the identity is linked to it (audited), and it opens;
 * 3. the provider says the email is verified and no account has it: a new account (role user) is created.
 *
 * Anything else is refused with AUTH.OIDC_LINK_REQUIRED: an unverified address at either end would let whoever
 * controls a provider account, or registered an address here without owning it, take over the other's account
 * (pre-account-takeover). The owner then signs in with the password and links from the account page.
 */
@Injectable()
export class OidcSignIn {
  constructor(
    private readonly relyingParty: OidcRelyingParty,
    private readonly transactions: OidcTransactions,
    private readonly identities: ExternalIdentities,
    private readonly accounts: AccountsService,
    private readonly auth: AuthService,
    private readonly secondFactor: SecondFactor,
    private readonly audit: AuditLog,
  ) {}

  start(): Promise<StartedSignIn> {
    return this.begin('sign-in', null);
  }

  /** The signed-in user (recently authenticated, which the route checks) links an identity to the account. */
  startLink(user: UserPrincipal): Promise<StartedSignIn> {
    return this.begin('link', user.id);
  }

  /**
   * Completes the flow the provider's answer (`callbackQuery`) belongs to, for the browser holding `binding`:
   * a session (token pair) after a sign-in, nothing after a link.
   */
  async complete(
    callbackQuery: string,
    binding: string,
    userAgent: string | undefined,
  ): Promise<TokenPair | { linked: true }> {
    const transaction = await this.transactionOf(callbackQuery, binding);
    let identity: ProvenIdentity;
    try {
      identity = await this.relyingParty.redeem(callbackQuery, transaction);
    } catch (error) {
      throw this.failure(`provider answer refused: ${reasonOf(error)}`);
    }
    if (transaction.purpose === 'link') return this.linkTo(transaction.accountId!, identity);
    const account = await this.accountFor(identity);
    if (await this.secondFactor.isEnabled(account.id)) {
      // A provider account must not become a way around the second factor of a Runnerly account.
      this.audit.record(AuditEvent.OidcLoginFailed, {
        userId: account.id,
        issuer: identity.issuer,
        reason: 'account has two-factor on',
      });
      throw new AppException(
        ErrorCode.OidcSecondFactorAccount,
        'This account uses two-factor authentication: sign in with your password and code.',
      );
    }
    return this.auth.startExternalSession(account, describeClient(userAgent), identity.issuer);
  }

  private async begin(purpose: OidcTransaction['purpose'], accountId: string | null): Promise<StartedSignIn> {
    const { checks, binding } = await this.transactions.create(purpose, accountId);
    try {
      return { authorizationUrl: await this.relyingParty.authorizationUrl(checks), binding };
    } catch (error) {
      // The provider cannot be reached, or its discovery document is not the configured issuer's.
      this.audit.record(AuditEvent.OidcLoginFailed, {
        reason: `provider discovery failed: ${reasonOf(error)}`,
      });
      throw new AppException(
        ErrorCode.ServiceUnavailable,
        'The sign-in provider is unavailable. Retry later.',
      );
    }
  }

  private async transactionOf(callbackQuery: string, binding: string): Promise<OidcTransaction> {
    const state = new URLSearchParams(callbackQuery).get('state');
    if (!state) throw this.failure('no state in the answer');
    const taken = await this.transactions.take(state, binding);
    if ('problem' in taken) throw this.failure(`transaction ${taken.problem}`);
    return taken.transaction;
  }

  private async accountFor(identity: ProvenIdentity): Promise<Account> {
    const linked = await this.identities.accountOf(identity);
    if (linked) return this.accounts.get(linked);

    const email = identity.email === undefined ? undefined : normalizeEmail(identity.email);
    if (!identity.emailVerified || !email) throw this.linkRequired(identity, 'provider email not verified');
    const existing = await this.accounts.findByEmail(email);
    if (existing) {
      if (existing.emailVerifiedAt === null)
        throw this.linkRequired(identity, 'account email not verified here', existing.id);
      await this.link(identity, existing.id, 'verified email');
      return existing;
    }
    const created = await this.accounts.createWithVerifiedEmail(
      email,
      displayNameOf(identity, email),
      identity.issuer,
    );
    await this.link(identity, created.id, 'new account');
    return created;
  }

  private async linkTo(accountId: string, identity: ProvenIdentity): Promise<{ linked: true }> {
    const owner = await this.identities.accountOf(identity);
    if (owner !== undefined && owner !== accountId) {
      this.audit.record(AuditEvent.OidcLoginFailed, {
        userId: accountId,
        issuer: identity.issuer,
        reason: 'identity linked to another account',
      });
      throw new AppException(ErrorCode.Conflict, 'This identity is linked to another account.');
    }
    if (owner === undefined) await this.link(identity, accountId, 'explicit link');
    return { linked: true };
  }

  private async link(identity: ProvenIdentity, accountId: string, how: string): Promise<void> {
    if (!(await this.identities.link(identity, accountId)))
      throw this.failure('identity linked meanwhile by another sign-in');
    this.audit.record(AuditEvent.OidcIdentityLinked, {
      userId: accountId,
      issuer: identity.issuer,
      reason: how,
    });
  }

  private linkRequired(identity: ProvenIdentity, reason: string, userId?: string): AppException {
    this.audit.record(AuditEvent.OidcLoginFailed, { userId, issuer: identity.issuer, reason });
    return new AppException(
      ErrorCode.OidcLinkRequired,
      'No account is linked to this identity: sign in with your password, then link it from your account page.',
    );
  }

  /** One answer for every way the flow can fail; the audit line says which. */
  private failure(reason: string): AppException {
    this.audit.record(AuditEvent.OidcLoginFailed, { reason });
    return new AppException(ErrorCode.OidcFailed, 'The sign-in with the provider failed. Try again.');
  }
}

/**
 * openid-client's error code and message, with the check that failed (its cause's message, which names the
 * claim or parameter), bounded. Its messages carry no token.
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const { code, cause } = error as Error & { code?: unknown };
  const detail = cause instanceof Error ? ` (${cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${detail}`.slice(0, 300);
}

/** The provider's `name`, if it is a plain one, else the part of the email before the @. */
function displayNameOf(identity: ProvenIdentity, email: string): string {
  const name = identity.name?.trim();
  const plain = name && !/\p{C}/u.test(name) ? name : email.split('@')[0]!;
  return [...plain].slice(0, DISPLAY_NAME_MAX).join('') || 'Runner';
}
