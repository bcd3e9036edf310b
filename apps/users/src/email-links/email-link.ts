/**
 * The two links Runnerly mails: what each is for, how long it works, and its words. A link opens a page of the
 * web client at PUBLIC_ORIGIN with the token in the fragment (`#token=`), which browsers never send to a server
 * or put in a Referer header: the page posts it to the API.
 */
export type EmailLinkPurpose = 'verify-email' | 'reset-password';

interface EmailLinkKind {
  /** The page the link opens. */
  path: string;
  /** How long the link works. A reset link is short-lived: it is as good as the password. */
  ttlSeconds: number;
  subject: string;
  text: (link: string) => string;
}

export const EMAIL_LINKS: Readonly<Record<EmailLinkPurpose, EmailLinkKind>> = {
  'verify-email': {
    path: '/verify-email',
    ttlSeconds: 24 * 3600,
    subject: 'Confirm your email address for Runnerly',
    text: (link) =>
      [
        'Someone signed up for Runnerly with this email address, or asked to confirm it.',
        'If it was you, open this link within 24 hours to confirm it:',
        '',
        link,
        '',
        'If it was not you, ignore this mail.',
      ].join('\n'),
  },
  'reset-password': {
    path: '/reset-password',
    ttlSeconds: 30 * 60,
    subject: 'Reset your Runnerly password',
    text: (link) =>
      [
        'Someone asked to reset the password of the Runnerly account with this email address.',
        'If it was you, open this link within 30 minutes to choose a new password:',
        '',
        link,
        '',
        'If it was not you, ignore this mail: your password stays as it is.',
      ].join('\n'),
  },
};

/** One link of a purpose per account per this many seconds: asking again and again cannot flood a mailbox. */
export const EMAIL_LINK_MIN_INTERVAL_SECONDS = 60;

/** The development default of PUBLIC_ORIGIN: the gateway of `npm start`. */
export const DEVELOPMENT_PUBLIC_ORIGIN = 'http://localhost:3000';

/** The link for a token, on the configured origin: never on one a request named. */
export function emailLink(publicOrigin: string, purpose: EmailLinkPurpose, token: string): string {
  const url = new URL(EMAIL_LINKS[purpose].path, publicOrigin);
  url.hash = new URLSearchParams({ token }).toString();
  return url.toString();
}
