import { type Role, type SessionValidator, type UserPrincipal } from '@runnerly/security';
import { type DataSource } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `users` owns accounts and sessions, so it checks every user token against them, in one indexed query:
 * the session is neither revoked nor past its end, the account still exists, and the role is the one
 * stored now. A demoted, deleted or logged-out admin's token stops working on the next request.
 */
export class LiveSessions implements SessionValidator {
  constructor(private readonly dataSource: DataSource) {}

  async current(principal: UserPrincipal): Promise<UserPrincipal | null> {
    if (!UUID.test(principal.sessionId) || !UUID.test(principal.id)) return null;
    const [row] = await this.dataSource.query<{ role: Role }[]>(
      `SELECT a.role FROM sessions s JOIN accounts a ON a.id = s.account_id
        WHERE s.id = $1 AND s.account_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [principal.sessionId, principal.id],
    );
    return row ? { ...principal, role: row.role } : null;
  }
}
