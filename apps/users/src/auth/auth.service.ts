import { Injectable } from '@nestjs/common';
import {
  AppException,
  AuditEvent,
  AuditLog,
  accountFingerprint,
  CredentialThrottle,
  ErrorCode,
  PasswordHasher,
  TokenIssuer,
  type UserPrincipal,
} from '@runnerly/security';
import { type Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { LoginSecondStepDto, proofOf } from '../mfa/dto/second-factor.dto';
import { LOGIN_CHALLENGE_TTL_SECONDS, LoginChallenges } from '../mfa/login-challenges';
import { SecondFactor, type SecondFactorKind } from '../mfa/second-factor.service';
import { describeClient } from '../sessions/client-description';
import { type IssuedRefreshToken, RefreshTokenRotation } from '../sessions/refresh-token-rotation.service';
import { type LoginDto } from './dto/login.dto';
import { type ReauthenticateDto } from './dto/reauthenticate.dto';
import { type AccessTokenAnswer, type SecondFactorRequired, type TokenPair } from './dto/token-pair.dto';

/** Login, refresh and logout: turns credentials into tokens and back. */
@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: RefreshTokenRotation,
    private readonly tokens: TokenIssuer,
    private readonly throttle: CredentialThrottle,
    private readonly audit: AuditLog,
    private readonly secondFactor: SecondFactor,
    private readonly challenges: LoginChallenges,
  ) {}

  /**
   * Unknown email and wrong password give the same answer, after the same work (a full argon2 verify
   * either way), so a client learns nothing about which accounts exist (OWASP API2). Failed checks are
   * throttled per account and client (CredentialThrottle), an unknown email exactly like a known one.
   * The session remembers the client's User-Agent, so that its owner can recognise it later.
   */
  async login(
    dto: LoginDto,
    clientIp: string,
    userAgent?: string,
  ): Promise<TokenPair | SecondFactorRequired> {
    const account = await this.throttle.authenticate(dto.email, clientIp, () => this.checkPassword(dto));
    if (!account) throw new AppException(ErrorCode.InvalidCredentials, 'Invalid email or password.');
    if (this.hasher.needsRehash(account.passwordHash)) {
      await this.accounts.updatePasswordHash(account.id, await this.hasher.hash(dto.password));
    }
    if (await this.secondFactor.isEnabled(account.id)) {
      const loginToken = await this.challenges.create(account.id, describeClient(userAgent));
      return { secondFactorRequired: true, loginToken, expiresIn: LOGIN_CHALLENGE_TTL_SECONDS };
    }
    return this.startSession(account, describeClient(userAgent));
  }

  /**
   * The second step of a login with two-factor on: the login token of the first step and a code from the
   * app or a recovery code. A wrong one uses up one of the challenge's attempts and counts against the
   * account's cap (SecondFactorThrottle); the right one spends the challenge and starts the session.
   */
  async completeLogin(dto: LoginSecondStepDto): Promise<TokenPair> {
    const proof = proofOf(dto);
    const challenge = await this.challenges.attempt(dto.loginToken);
    if (!challenge) throw invalidLoginToken();
    const kind = await this.secondFactor.verify(challenge.accountId, proof);
    if (!kind)
      throw new AppException(ErrorCode.InvalidSecondFactor, 'The code is wrong, expired or already used.');
    if (!(await this.challenges.complete(dto.loginToken))) throw invalidLoginToken();
    return this.startSession(await this.accounts.get(challenge.accountId), challenge.clientDescription, kind);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const next = await this.sessions.rotate(refreshToken);
    // The role is read again: a role change since the last refresh applies to the next access token.
    const account = await this.accounts.get(next.accountId);
    this.audit.record(AuditEvent.TokenRefreshed, { userId: account.id, targetId: next.sessionId });
    return this.pairFor(account, next);
  }

  /**
   * Step-up: the user of this session proves who they are again, as at login (the password, and a code or a
   * recovery code when two-factor is on), so that the routes that need a recent authentication accept the
   * new access token (the session's refreshed tokens carry it too). Wrong passwords are throttled and
   * audited like failed logins, wrong codes like a login's: a stolen access token must not become a way to
   * guess either.
   */
  async reauthenticate(
    user: UserPrincipal,
    dto: ReauthenticateDto,
    clientIp: string,
  ): Promise<AccessTokenAnswer> {
    const account = await this.accounts.getWithPasswordHash(user.id);
    const verified = await this.throttle.authenticate(account.email, clientIp, async () => {
      if (await this.hasher.verify(account.passwordHash, dto.password)) return account;
      this.audit.record(AuditEvent.LoginFailed, {
        account: accountFingerprint(account.email),
        userId: account.id,
        reason: 'wrong password at reauthentication',
      });
      return null;
    });
    if (!verified) throw new AppException(ErrorCode.InvalidCredentials, 'The password is wrong.');
    const withSecondFactor = await this.secondFactor.isEnabled(user.id);
    if (withSecondFactor) {
      const proven =
        (dto.code !== undefined || dto.recoveryCode !== undefined) &&
        (await this.secondFactor.verify(user.id, proofOf(dto))) !== null;
      if (!proven) {
        throw new AppException(
          ErrorCode.InvalidSecondFactor,
          'Two-factor is on: send a code or a recovery code too.',
        );
      }
    }
    const session = await this.sessions.recordReauthentication(user.id, user.sessionId, withSecondFactor);
    if (!session) throw new AppException(ErrorCode.Unauthenticated, 'The session has ended.');
    this.audit.record(AuditEvent.Reauthenticated, { userId: user.id, targetId: user.sessionId });
    const access = this.tokens.issueAccessToken({
      userId: account.id,
      role: account.role,
      sessionId: user.sessionId,
      ...session,
    });
    return { accessToken: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn };
  }

  /**
   * A session for an account whose owner proved who they are at an OpenID provider (OidcSignIn decided which
   * account that is): the same session, tokens and rotation as a password login.
   */
  async startExternalSession(
    account: Account,
    clientDescription: string | null,
    issuer: string,
  ): Promise<TokenPair> {
    const session = await this.sessions.startSession(account.id, clientDescription, false);
    this.audit.record(AuditEvent.OidcLoginSucceeded, {
      userId: account.id,
      targetId: session.sessionId,
      issuer,
    });
    return this.pairFor(account, session);
  }

  async logout(refreshToken: string): Promise<void> {
    const ended = await this.sessions.endSession(refreshToken);
    if (ended) this.audit.record(AuditEvent.LoggedOut, { userId: ended.accountId });
  }

  private async startSession(
    account: Account,
    clientDescription: string | null,
    secondFactor?: SecondFactorKind,
  ): Promise<TokenPair> {
    const session = await this.sessions.startSession(
      account.id,
      clientDescription,
      secondFactor !== undefined,
    );
    this.audit.record(AuditEvent.LoginSucceeded, {
      userId: account.id,
      targetId: session.sessionId,
      secondFactor,
    });
    return this.pairFor(account, session);
  }

  /** The account whose password this is, or null (audited) when the email or the password is wrong. */
  private async checkPassword(dto: LoginDto): Promise<Account | null> {
    const account = await this.accounts.findWithPasswordHash(dto.email);
    const valid = account
      ? await this.hasher.verify(account.passwordHash, dto.password)
      : await this.hasher.verifyNothing(dto.password);
    if (account && valid) return account;
    this.audit.record(AuditEvent.LoginFailed, {
      account: accountFingerprint(dto.email),
      userId: account?.id,
      reason: account ? 'wrong password' : 'unknown account',
    });
    return null;
  }

  private pairFor(account: Account, session: IssuedRefreshToken): TokenPair {
    const access = this.tokens.issueAccessToken({
      userId: account.id,
      role: account.role,
      sessionId: session.sessionId,
      authenticatedAt: session.authenticatedAt,
      secondFactor: session.secondFactor,
    });
    return {
      accessToken: access.token,
      refreshToken: session.refreshToken,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
    };
  }
}

function invalidLoginToken(): AppException {
  return new AppException(
    ErrorCode.InvalidLoginChallenge,
    'The login token is invalid, expired or used up. Log in again.',
  );
}
