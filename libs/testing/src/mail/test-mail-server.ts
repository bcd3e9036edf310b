import { type AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/**
 * A real SMTP server (nodemailer's smtp-server) in the test process, on a free loopback port, that keeps every
 * mail it is given: the service under test sends over a real SMTP connection, and the test reads what arrived.
 * No STARTTLS (the service would try to upgrade to it), no AUTH: a loopback catcher.
 */
export class TestMailServer {
  readonly mails: ReceivedMail[] = [];
  /** How many of the next mails to refuse with a temporary failure (451), as a server under load would. */
  refuseNext = 0;
  private readonly waiters = new Set<() => void>();
  private readonly server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      if (this.refuseNext > 0) {
        this.refuseNext--;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then((parsed) => {
          this.receive({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((recipient) => recipient.address).join(', '),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });

  private constructor() {}

  static async start(): Promise<TestMailServer> {
    const mail = new TestMailServer();
    await new Promise<void>((resolve) => mail.server.listen(0, '127.0.0.1', resolve));
    return mail;
  }

  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /** The mails sent to this address so far, oldest first. */
  mailsTo(address: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to === address);
  }

  /** Waits for the `count`-th mail to this address (1: the first; default: the next one), and answers it. */
  async nextMailTo(
    address: string,
    count = this.mailsTo(address).length + 1,
    timeoutMs = 10_000,
  ): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    while (this.mailsTo(address).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No mail #${count} to ${address} within ${timeoutMs} ms`);
      await this.nextArrival(left);
    }
    return this.mailsTo(address)[count - 1]!;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves when any mail arrives, or after `timeoutMs`. */
  private nextArrival(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
    });
  }

  private receive(mail: ReceivedMail): void {
    this.mails.push(mail);
    for (const wake of [...this.waiters]) wake();
  }
}

/** The link in a mail's text that opens `path` (`/reset-password`), and the token in its fragment. */
export function linkIn(mail: ReceivedMail, path: string): { url: URL; token: string } {
  const found = mail.text.match(/https?:\/\/\S+/g)?.map((link) => new URL(link)) ?? [];
  const url = found.find((link) => link.pathname === path);
  if (!url) throw new Error(`No ${path} link in the mail "${mail.subject}"`);
  const token = new URLSearchParams(url.hash.slice(1)).get('token');
  if (!token) throw new Error(`The ${path} link carries no token`);
  return { url, token };
}
