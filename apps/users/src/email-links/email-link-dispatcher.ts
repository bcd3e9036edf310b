import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@runnerly/platform';
import { accountFingerprint, AuditEvent, AuditLog } from '@runnerly/security';
import { DataSource, type EntityManager } from 'typeorm';
import { UsersConfig } from '../users.config';
import { DEVELOPMENT_PUBLIC_ORIGIN, EMAIL_LINKS, emailLink, type EmailLinkPurpose } from './email-link';
import { EmailLinkTokens } from './email-link-tokens';
import { type OutgoingMail, SmtpMailer } from './smtp-mailer';

/** A request still unsent after this long is dropped: by the time it arrived, its reader would have moved on. */
const GIVE_UP_AFTER_MS = 60 * 60_000;
const MAX_RETRY_DELAY_MS = 5 * 60_000;
/** Longer than an SMTP exchange can take (SmtpMailer's timeouts): a crashed sender's request is retried after. */
const SEND_LEASE_SECONDS = 60;
const BATCH = 20;

interface QueuedRequest {
  id: string;
  purpose: EmailLinkPurpose;
  email: string;
  request_id: string | null;
  requested_at: Date;
  attempts: number;
}

/** A decided request, with the link to mail when it gets one. */
interface Claimed {
  request: QueuedRequest;
  link?: { accountId: string; token: string };
}

interface Recipient {
  id: string;
  email_verified_at: Date | null;
}

/**
 * Turns the queued requests for a link into mails. The API queues every request alike, for an address with an
 * account or without, and answers at once; only here does it matter whether the account exists. For each
 * request, claimed with FOR UPDATE SKIP LOCKED so that two replicas never mail twice: no account, an email
 * already verified, or a link of that purpose sent within the last minute, and the request goes without a
 * mail; otherwise a token is made, the mail sent, and the request done. A refused mail is retried with
 * backoff, each time with a fresh token.
 */
@Injectable()
export class EmailLinkDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EmailLinks');
  private readonly poll: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: EmailLinkTokens,
    private readonly mailer: SmtpMailer,
    private readonly audit: AuditLog,
    private readonly config: UsersConfig,
  ) {
    this.poll = new PeriodicTask({
      name: 'email-links',
      intervalMs: config.MAIL_POLL_INTERVAL_MS,
      run: () => this.dispatchBatch(),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.mailer.isConfigured) {
      this.logger.warn('SMTP_URL is not set: verification and password-reset mails stay queued until it is');
      return;
    }
    this.poll.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.poll.stop();
  }

  /** Queues a request for a link; the mail goes out in the background, if there is an account to mail. */
  async queue(purpose: EmailLinkPurpose, email: string, requestId: string | undefined): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO email_link_requests (purpose, email, request_id) VALUES ($1, $2, $3)`,
      [purpose, email, requestId ?? null],
    );
    if (this.mailer.isConfigured) this.poll.trigger();
  }

  private async dispatchBatch(): Promise<void> {
    for (let handled = 0; handled < BATCH; handled++) {
      const claimed = await this.dataSource.transaction((db) => this.claimNext(db));
      if (!claimed) return;
      await this.deliver(claimed);
    }
  }

  /**
   * Takes the next due request and decides it. One that gets no mail is done here. One that does gets its
   * token, committed before the mail leaves (a reader may open the link the instant it arrives), and a lease:
   * no other pass takes it for SEND_LEASE_SECONDS, while this one sends.
   */
  private async claimNext(db: EntityManager): Promise<Claimed | false> {
    const [request]: QueuedRequest[] = await db.query(
      `SELECT id, purpose, email, request_id, requested_at, attempts FROM email_link_requests
        WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    if (!request) return false;
    const [account]: Recipient[] = await db.query(
      `SELECT id, email_verified_at FROM accounts WHERE email = $1`,
      [request.email],
    );
    const unsent = await this.reasonNotToMail(db, request, account);
    if (unsent !== undefined || !account) {
      await db.query(`DELETE FROM email_link_requests WHERE id = $1`, [request.id]);
      this.recordOutcome(request, account?.id, unsent);
      return { request };
    }
    const token = await this.tokens.issue(
      db,
      { accountId: account.id, email: request.email },
      request.purpose,
    );
    await db.query(
      `UPDATE email_link_requests SET next_attempt_at = now() + make_interval(secs => $2) WHERE id = $1`,
      [request.id, SEND_LEASE_SECONDS],
    );
    return { request, link: { accountId: account.id, token } };
  }

  /** Sends the mail of a claimed request that gets one; the request is done once SMTP took it. */
  private async deliver({ request, link }: Claimed): Promise<void> {
    if (!link) return;
    try {
      await this.mailer.send(this.mailFor(request, link.token));
    } catch (error) {
      return this.retryLater(request, link.token, error);
    }
    await this.dataSource.query(`DELETE FROM email_link_requests WHERE id = $1`, [request.id]);
    this.recordOutcome(request, link.accountId, undefined);
  }

  private async reasonNotToMail(
    db: EntityManager,
    request: QueuedRequest,
    account: Recipient | undefined,
  ): Promise<string | undefined> {
    if (!account) return 'no account';
    if (request.purpose === 'verify-email' && account.email_verified_at) return 'already verified';
    if (Date.now() - request.requested_at.getTime() > GIVE_UP_AFTER_MS) return 'not sent within an hour';
    if (await this.tokens.sentRecently(db, account.id, request.purpose))
      return 'a link was sent less than a minute ago';
    return undefined;
  }

  private mailFor(request: QueuedRequest, token: string): OutgoingMail {
    const kind = EMAIL_LINKS[request.purpose];
    const publicOrigin = this.config.PUBLIC_ORIGIN ?? DEVELOPMENT_PUBLIC_ORIGIN;
    return {
      to: request.email,
      subject: kind.subject,
      text: kind.text(emailLink(publicOrigin, request.purpose, token)),
    };
  }

  /** The token of the mail that failed goes (a retry makes a new one), and the request waits, doubling. */
  private async retryLater(request: QueuedRequest, token: string, error: unknown): Promise<void> {
    const delay = Math.min(this.config.MAIL_RETRY_BASE_MS * 2 ** request.attempts, MAX_RETRY_DELAY_MS);
    await this.tokens.withdraw(token);
    await this.dataSource.query(
      `UPDATE email_link_requests
          SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2), last_error = $3
        WHERE id = $1`,
      [request.id, delay / 1000, String(error).slice(0, 200)],
    );
    this.logger.warn(
      { requestId: request.request_id, attempts: request.attempts + 1, retryInMs: delay },
      'Sending a mail failed; will retry',
    );
  }

  /** The outcome, in the audit log under the request that asked: never the address, never the token. */
  private recordOutcome(
    request: QueuedRequest,
    accountId: string | undefined,
    unsent: string | undefined,
  ): void {
    const event =
      request.purpose === 'reset-password'
        ? AuditEvent.PasswordResetRequested
        : AuditEvent.EmailVerificationRequested;
    this.audit.record(event, {
      account: accountFingerprint(request.email),
      userId: accountId,
      requestId: request.request_id ?? undefined,
      mailed: unsent === undefined,
      reason: unsent,
    });
  }
}
