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
import { describeClient } from '../sessions/client-description';
import { type IssuedRefreshToken, RefreshTokenRotation } from '../sessions/refresh-token-rotation.service';
import { type LoginDto } from './dto/login.dto';
import { type AccessTokenAnswer, type TokenPair } from './dto/token-pair.dto';

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
  ) {}

  /**
   * Unknown email and wrong password give the same answer, after the same work (a full argon2 verify
   * either way), so a client learns nothing about which accounts exist (OWASP API2). Failed checks are
   * throttled per account and client (CredentialThrottle), an unknown email exactly like a known one.
   * The session remembers the client's User-Agent, so that its owner can recognise it later.
   */
  async login(dto: LoginDto, clientIp: string, userAgent?: string): Promise<TokenPair> {
    const account = await this.throttle.authenticate(dto.email, clientIp, () => this.checkPassword(dto));
    if (!account) throw new AppException(ErrorCode.InvalidCredentials, 'Invalid email or password.');
    if (this.hasher.needsRehash(account.passwordHash)) {
      await this.accounts.updatePasswordHash(account.id, await this.hasher.hash(dto.password));
    }
    const session = await this.sessions.startSession(account.id, describeClient(userAgent));
    this.audit.record(AuditEvent.LoginSucceeded, { userId: account.id, targetId: session.sessionId });
    return this.pairFor(account, session);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const next = await this.sessions.rotate(refreshToken);
    // The role is read again: a role change since the last refresh applies to the next access token.
    const account = await this.accounts.get(next.accountId);
    this.audit.record(AuditEvent.TokenRefreshed, { userId: account.id, targetId: next.sessionId });
    return this.pairFor(account, next);
  }

  /**
   * Step-up: the user of this session enters their password again, so that the routes that need a recent
   * authentication accept the new access token (the session's refreshed tokens carry it too). Wrong
   * passwords are throttled and audited like failed logins: a stolen access token must not become a way
   * to guess the password.
   */
  async reauthenticate(user: UserPrincipal, password: string, clientIp: string): Promise<AccessTokenAnswer> {
    const account = await this.accounts.getWithPasswordHash(user.id);
    const verified = await this.throttle.authenticate(account.email, clientIp, async () => {
      if (await this.hasher.verify(account.passwordHash, password)) return account;
      this.audit.record(AuditEvent.LoginFailed, {
        account: accountFingerprint(account.email),
        userId: account.id,
        reason: 'wrong password at reauthentication',
      });
      return null;
    });
    if (!verified) throw new AppException(ErrorCode.InvalidCredentials, 'The password is wrong.');
    const authenticatedAt = await this.sessions.recordReauthentication(user.id, user.sessionId);
    if (!authenticatedAt) throw new AppException(ErrorCode.Unauthenticated, 'The session has ended.');
    this.audit.record(AuditEvent.Reauthenticated, { userId: user.id, targetId: user.sessionId });
    const access = this.tokens.issueAccessToken({
      userId: account.id,
      role: account.role,
      sessionId: user.sessionId,
      authenticatedAt,
    });
    return { accessToken: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn };
  }

  async logout(refreshToken: string): Promise<void> {
    const ended = await this.sessions.endSession(refreshToken);
    if (ended) this.audit.record(AuditEvent.LoggedOut, { userId: ended.accountId });
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
    });
    return {
      accessToken: access.token,
      refreshToken: session.refreshToken,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
    };
  }
}
