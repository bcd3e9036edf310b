import { Injectable } from '@nestjs/common';
import { AppException, AuditEvent, type AuditLog, ErrorCode } from '@runnerly/security';
import { DataSource, type EntityManager } from 'typeorm';
import { generateOpaqueToken, hashOpaqueToken } from '../sessions/opaque-token';
import { EMAIL_LINKS, EMAIL_LINK_MIN_INTERVAL_SECONDS, type EmailLinkPurpose } from './email-link';

/** What a live token of a link stands for. */
export interface EmailLinkClaim {
  accountId: string;
  /** The address the link was mailed to: a verification counts only while the account still has it. */
  email: string;
}

/**
 * The tokens that mailed links carry: 256 random bits, stored as a SHA-256 digest (a dump of the table opens
 * nothing), one purpose each, short-lived, and spent by one conditional UPDATE, so a link works once even
 * when two requests race. A new link of a purpose replaces the account's earlier unused one.
 */
@Injectable()
export class EmailLinkTokens {
  constructor(private readonly dataSource: DataSource) {}

  /** True when the account was sent a link of this purpose within EMAIL_LINK_MIN_INTERVAL_SECONDS. */
  async sentRecently(db: EntityManager, accountId: string, purpose: EmailLinkPurpose): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `SELECT 1 FROM email_link_tokens
        WHERE account_id = $1 AND purpose = $2 AND created_at > now() - make_interval(secs => $3)`,
      [accountId, purpose, EMAIL_LINK_MIN_INTERVAL_SECONDS],
    );
    return rows.length > 0;
  }

  async issue(db: EntityManager, claim: EmailLinkClaim, purpose: EmailLinkPurpose): Promise<string> {
    const token = generateOpaqueToken();
    // The earlier unused link stops working, and spent or expired ones go: the table holds live links only.
    await db.query(
      `DELETE FROM email_link_tokens
        WHERE account_id = $1 AND purpose = $2 AND (used_at IS NULL OR expires_at < now())`,
      [claim.accountId, purpose],
    );
    await db.query(
      `INSERT INTO email_link_tokens (token_hash, account_id, purpose, email, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [hashOpaqueToken(token), claim.accountId, purpose, claim.email, EMAIL_LINKS[purpose].ttlSeconds],
    );
    return token;
  }

  /** Takes back a token whose mail could not be sent, so that the next attempt is not held back by it. */
  async withdraw(token: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM email_link_tokens WHERE token_hash = $1`, [
      hashOpaqueToken(token),
    ]);
  }

  /** What a live token stands for, without spending it (to check a new password before the token goes). */
  async peek(token: string, purpose: EmailLinkPurpose): Promise<EmailLinkClaim | undefined> {
    const rows: { account_id: string; email: string }[] = await this.dataSource.query(
      `SELECT account_id, email FROM email_link_tokens
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()`,
      [hashOpaqueToken(token), purpose],
    );
    return claimOf(rows[0]);
  }

  /** Spends a live token, or answers undefined when it is unknown, of another purpose, expired or spent. */
  async redeem(
    db: EntityManager,
    token: string,
    purpose: EmailLinkPurpose,
  ): Promise<EmailLinkClaim | undefined> {
    const [rows]: [{ account_id: string; email: string }[], number] = await db.query(
      `UPDATE email_link_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING account_id, email`,
      [hashOpaqueToken(token), purpose],
    );
    return claimOf(rows[0]);
  }
}

function claimOf(row: { account_id: string; email: string } | undefined): EmailLinkClaim | undefined {
  return row && { accountId: row.account_id, email: row.email };
}

/** The one answer to a token that does not work, whatever the reason: unknown, expired, spent, other purpose. */
export function invalidEmailLink(audit: AuditLog, purpose: string): AppException {
  audit.record(AuditEvent.EmailLinkRejected, { reason: `${purpose} token unknown, expired or used` });
  return new AppException(ErrorCode.InvalidEmailLink, 'This link is invalid, expired or already used.');
}
