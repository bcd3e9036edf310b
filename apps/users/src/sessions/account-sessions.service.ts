import { Injectable } from '@nestjs/common';
import { AppException, AuditEvent, AuditLog, ErrorCode, type UserPrincipal } from '@runnerly/security';
import { DataSource } from 'typeorm';
import { type SessionList } from './dto/session.view';
import { RefreshTokenRotation } from './refresh-token-rotation.service';

/** More than anyone has devices; bounds the answer whatever an account accumulates. */
const MAX_LISTED_SESSIONS = 100;

/**
 * A user's own sessions: the live ones listed (so a session the user does not recognise can be ended), and one, or
 * every one but the current, ended. Every query carries the caller's account id: another user's session is
 * not found, exactly like a missing one (OWASP API1).
 */
@Injectable()
export class AccountSessions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rotation: RefreshTokenRotation,
    private readonly audit: AuditLog,
  ) {}

  /** Live sessions, the most recently used first; the last use is the newest token of the session's family. */
  async list(user: UserPrincipal): Promise<SessionList> {
    const rows: {
      id: string;
      client_description: string | null;
      created_at: Date;
      expires_at: Date;
      last_used_at: Date;
    }[] = await this.dataSource.query(
      `SELECT s.id, s.client_description, s.created_at, s.expires_at, max(t.created_at) AS last_used_at
         FROM sessions s JOIN refresh_tokens t ON t.session_id = s.id
        WHERE s.account_id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
        GROUP BY s.id
        ORDER BY last_used_at DESC, s.id
        LIMIT ${MAX_LISTED_SESSIONS}`,
      [user.id],
    );
    return {
      items: rows.map((row) => ({
        id: row.id,
        client: row.client_description,
        createdAt: row.created_at.toISOString(),
        lastUsedAt: row.last_used_at.toISOString(),
        expiresAt: row.expires_at.toISOString(),
        current: row.id === user.sessionId,
      })),
    };
  }

  /** Ends one of the caller's sessions (a lost phone, say); its refresh and access tokens stop working. */
  async end(user: UserPrincipal, sessionId: string): Promise<void> {
    if (!(await this.rotation.endSessionOf(user.id, sessionId, 'ended-by-owner'))) {
      throw new AppException(ErrorCode.NotFound, 'Session not found.');
    }
    this.audit.record(AuditEvent.LoggedOut, { userId: user.id, targetId: sessionId, reason: 'one session' });
  }

  /** Ends every session of the caller but the one asking. */
  async endOthers(user: UserPrincipal): Promise<void> {
    await this.rotation.endAllSessions(user.id, 'ended-by-owner', user.sessionId);
    this.audit.record(AuditEvent.LoggedOut, { userId: user.id, reason: 'every other session' });
  }
}
