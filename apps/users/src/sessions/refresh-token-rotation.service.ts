import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  AppException,
  AuditEvent,
  AuditLog,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  ErrorCode,
  RevokedSessions,
} from '@runnerly/security';
import { DataSource, type EntityManager, type FindOptionsWhere, IsNull, Not } from 'typeorm';
import { UsersConfig } from '../users.config';
import { generateOpaqueToken, hashOpaqueToken } from './opaque-token';
import { RefreshToken } from './refresh-token.entity';
import { Session, type SessionRevocationReason } from './session.entity';

export interface IssuedRefreshToken {
  accountId: string;
  sessionId: string;
  /** The session's login or last reauthentication, which its access tokens carry as `auth_time`. */
  authenticatedAt: Date;
  /** Whether the session entered a second factor (at login or a reauthentication): the tokens' `amr`. */
  secondFactor: boolean;
  refreshToken: string;
}

const MAX_REFRESH_TOKEN_LENGTH = 128;

/**
 * Refresh tokens per OAuth 2.0 Security BCP (RFC 9700 §4.14): opaque, stored hashed, single use, and
 * rotated on every refresh. All tokens of one login form a family (a Session). Presenting a token that
 * was already spent means two parties hold it, so the whole family is revoked: the thief and the
 * victim both have to log in again, and the thief cannot. Every revoked session is also published to
 * RevokedSessions, so that its access tokens stop working in every service, not only here.
 */
@Injectable()
export class RefreshTokenRotation {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: UsersConfig,
    private readonly revokedSessions: RevokedSessions,
    private readonly audit: AuditLog,
  ) {}

  /** Starts a session at login and returns its first refresh token. */
  async startSession(
    accountId: string,
    clientDescription: string | null,
    secondFactor: boolean,
    db: EntityManager = this.dataSource.manager,
  ): Promise<IssuedRefreshToken> {
    const expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    const session = await db.save(
      db.create(Session, {
        accountId,
        clientDescription,
        authenticatedAt: new Date(),
        secondFactor,
        expiresAt,
        revokedAt: null,
        revokedReason: null,
      }),
    );
    return {
      accountId,
      sessionId: session.id,
      authenticatedAt: session.authenticatedAt,
      secondFactor,
      refreshToken: await this.addToken(db, session.id),
    };
  }

  /**
   * Exchanges a refresh token for the next one of its family. The token is marked spent by a single
   * conditional UPDATE, so of two concurrent requests with the same token exactly one succeeds.
   */
  async rotate(presented: string): Promise<IssuedRefreshToken> {
    if (presented.length > MAX_REFRESH_TOKEN_LENGTH) throw invalidRefreshToken();
    const tokenHash = hashOpaqueToken(presented);

    const rotated = await this.dataSource.transaction(async (db) => {
      // For an UPDATE, TypeORM's postgres driver returns [rows, affected count].
      const [[row]]: [
        { session_id: string; account_id: string; authenticated_at: Date; second_factor: boolean }[],
        number,
      ] = await db.query(
        `UPDATE refresh_tokens t SET spent_at = now()
             FROM sessions s
            WHERE t.token_hash = $1 AND t.spent_at IS NULL
              AND s.id = t.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
            RETURNING t.session_id, s.account_id, s.authenticated_at, s.second_factor`,
        [tokenHash],
      );
      if (!row) return undefined;
      return {
        accountId: row.account_id,
        sessionId: row.session_id,
        authenticatedAt: row.authenticated_at,
        secondFactor: row.second_factor,
        refreshToken: await this.addToken(db, row.session_id),
      };
    });
    if (rotated) return rotated;

    await this.revokeIfReused(tokenHash);
    throw invalidRefreshToken();
  }

  /**
   * Records that the user of a live session has just entered their password again (step-up), with a second
   * factor or not (one entered once stays with the session); returns the session's new authentication, or
   * undefined when the session has ended meanwhile.
   */
  async recordReauthentication(
    accountId: string,
    sessionId: string,
    secondFactor: boolean,
  ): Promise<{ authenticatedAt: Date; secondFactor: boolean } | undefined> {
    const [rows]: [{ authenticated_at: Date; second_factor: boolean }[], number] =
      await this.dataSource.query(
        `UPDATE sessions SET authenticated_at = now(), second_factor = second_factor OR $3
        WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL AND expires_at > now()
        RETURNING authenticated_at, second_factor`,
        [sessionId, accountId, secondFactor],
      );
    const row = rows[0];
    return row && { authenticatedAt: row.authenticated_at, secondFactor: row.second_factor };
  }

  /** Ends the session a refresh token belongs to (logout). Unknown tokens are ignored: logout is idempotent. */
  async endSession(presented: string): Promise<{ accountId: string } | undefined> {
    if (presented.length > MAX_REFRESH_TOKEN_LENGTH) return undefined;
    const token = await this.dataSource.manager.findOneBy(RefreshToken, {
      tokenHash: hashOpaqueToken(presented),
    });
    if (!token) return undefined;
    const session = await this.dataSource.manager.findOneByOrFail(Session, { id: token.sessionId });
    await this.revoke({ id: session.id }, 'logout');
    return { accountId: session.accountId };
  }

  /**
   * Ends every live session of an account, except `keepSessionId` (the caller's own, on password change);
   * returns how many ended.
   */
  async endAllSessions(
    accountId: string,
    reason: SessionRevocationReason,
    keepSessionId?: string,
  ): Promise<number> {
    const ended = await this.revoke(
      { accountId, ...(keepSessionId ? { id: Not(keepSessionId) } : {}) },
      reason,
    );
    return ended.length;
  }

  /** Ends one live session of an account; false when the account has no such live session. */
  async endSessionOf(
    accountId: string,
    sessionId: string,
    reason: SessionRevocationReason,
  ): Promise<boolean> {
    return (await this.revoke({ id: sessionId, accountId }, reason)).length > 0;
  }

  private async revokeIfReused(tokenHash: string): Promise<void> {
    const token = await this.dataSource.manager.findOneBy(RefreshToken, {
      tokenHash,
      spentAt: Not(IsNull()),
    });
    if (!token) return;
    const session = await this.dataSource.manager.findOneBy(Session, {
      id: token.sessionId,
      revokedAt: IsNull(),
    });
    if (!session) return;
    await this.revoke({ id: session.id }, 'refresh-token-reuse');
    this.audit.record(AuditEvent.RefreshTokenReused, { userId: session.accountId, targetId: session.id });
  }

  /**
   * Revokes the live sessions matching `where`, here and in every service; returns their ids. They are
   * published before the revocation commits: if publishing fails, nothing is revoked and the caller's
   * retry starts again, instead of finding the sessions already ended here and never telling the others.
   */
  private revoke(where: FindOptionsWhere<Session>, reason: SessionRevocationReason): Promise<string[]> {
    return this.dataSource.transaction(async (db) => {
      const { raw } = await db
        .createQueryBuilder()
        .update(Session)
        .set({ revokedAt: () => 'now()', revokedReason: reason })
        .where({ ...where, revokedAt: IsNull() })
        .returning('id')
        .execute();
      const ids = (raw as { id: string }[]).map((row) => row.id);
      await this.publishRevoked(ids);
      return ids;
    });
  }

  /**
   * Tells every service that these sessions ended. An entry must outlive the longest access token the
   * sessions may hold (plus the verifiers' clock tolerance); after that their tokens expire anyway.
   */
  async publishRevoked(sessionIds: readonly string[]): Promise<void> {
    const longestToken = Math.max(
      this.config.ACCESS_TOKEN_TTL_SECONDS,
      this.config.ADMIN_ACCESS_TOKEN_TTL_SECONDS,
    );
    await this.revokedSessions.revoke(sessionIds, longestToken + DEFAULT_CLOCK_TOLERANCE_SECONDS);
  }

  private async addToken(db: EntityManager, sessionId: string): Promise<string> {
    const refreshToken = generateOpaqueToken();
    await db.insert(RefreshToken, { tokenHash: hashOpaqueToken(refreshToken), sessionId, spentAt: null });
    return refreshToken;
  }
}

function invalidRefreshToken(): AppException {
  return new AppException(ErrorCode.InvalidRefreshToken, 'The refresh token is invalid, expired or revoked.');
}
