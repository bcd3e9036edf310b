/** A mail as the mail catcher (infra/mail-catcher/mail-catcher.mjs) serves it at GET /mails. */
export interface CaughtMail {
  /** The recipients of the SMTP envelope (RCPT TO). */
  to: string[];
  /** The sender of the SMTP envelope (MAIL FROM); '' for the null sender. */
  from: string;
  subject: string;
  /** The text of a single-part text/plain mail, decoded; any other mail as it came. Lines end with \n. */
  text: string;
  /** When it arrived, as an ISO 8601 date. */
  receivedAt: string;
}
