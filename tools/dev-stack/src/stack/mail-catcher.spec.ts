import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CaughtMail, freePort, ServiceProcess } from '@runnerly/dev-infra';
import { createTransport } from 'nodemailer';
import { loadStackConfig, type StackConfig } from '../config/stack.config';
import { mailCatcherProcess, mailCatcherSmtpUrl, mailCatcherUrl } from './mail-catcher';

// infra/mail-catcher/mail-catcher.mjs as `npm start` runs it (a child process, on the launcher's settings), fed
// by nodemailer, the SMTP client users sends with, and by a raw socket for what no real client sends.

const REPO_ROOT = resolve(__dirname, '../../../..');
const RESET_LINK = `http://localhost:3000/reset-password#token=${randomBytes(32).toString('base64url')}`;
const SENDER = 'Runnerly <no-reply@runnerly.localhost>';

/** A running catcher: its settings, every line it printed, and a client of its HTTP side. */
class Catcher {
  readonly lines: string[] = [];
  private process: ServiceProcess | undefined;

  private constructor(readonly config: StackConfig) {}

  /** On free ports, in the launcher's `logFormat`, with `env` on top of what the launcher gives it. */
  static async start(logFormat: 'pretty' | 'json', env: Record<string, string> = {}): Promise<Catcher> {
    const catcher = new Catcher(await configOnFreePorts(logFormat));
    const options = mailCatcherProcess(catcher.config);
    catcher.process = await ServiceProcess.start({
      ...options,
      env: { ...options.env, ...env },
      onLine: (line) => catcher.lines.push(line),
    });
    return catcher;
  }

  get smtpPort(): number {
    return this.config.mailCatcher.smtpPort;
  }

  /** Sends through nodemailer to the SMTP_URL users gets from the launcher. */
  send(mail: {
    to: string | string[];
    subject: string;
    text: string;
    html?: string;
    textEncoding?: 'base64';
  }) {
    return createTransport(mailCatcherSmtpUrl(this.config)).sendMail({ from: SENDER, ...mail });
  }

  async mails(query = ''): Promise<CaughtMail[]> {
    const response = await fetch(`${mailCatcherUrl(this.config)}/mails${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as CaughtMail[];
  }

  /** The lines printed from the first that holds `text` on, once it is printed (a mail's block comes whole). */
  async printedFrom(text: string): Promise<string[]> {
    for (let waited = 0; !this.lines.some((line) => line.includes(text)); waited += 20) {
      if (waited > 5_000) throw new Error(`"${text}" was not printed:\n${this.lines.join('\n')}`);
      await sleep(20);
    }
    return this.lines.slice(this.lines.findIndex((line) => line.includes(text)));
  }

  stop(): Promise<void> {
    return this.process?.stop() ?? Promise.resolve();
  }
}

async function configOnFreePorts(logFormat: 'pretty' | 'json'): Promise<StackConfig> {
  return loadStackConfig(
    {
      RUNNERLY_MAIL_SMTP_PORT: String(await freePort()),
      RUNNERLY_MAIL_HTTP_PORT: String(await freePort()),
      LOG_FORMAT: logFormat,
    },
    { repoRoot: REPO_ROOT, cwd: REPO_ROOT, stdoutIsTerminal: false },
  );
}

/** The message nodemailer writes for `mail`, to show what the catcher had to decode. */
async function rawMessage(mail: { subject: string; text: string; textEncoding?: 'base64' }): Promise<string> {
  const sent = await createTransport({ streamTransport: true, buffer: true }).sendMail({
    from: SENDER,
    to: 'ada@example.com',
    ...mail,
  });
  return sent.message.toString();
}

describe('the mail catcher of npm start', () => {
  let catcher: Catcher;

  beforeAll(async () => {
    catcher = await Catcher.start('pretty');
  });
  afterAll(() => catcher.stop());

  it.each([
    [
      'quoted-printable',
      'a link longer than a line, in ASCII',
      `Open this link to choose a new password:\n\n${RESET_LINK}`,
      {},
    ],
    [
      'base64',
      'accented text',
      `Bonjour Ada, ouvrez ce lien pour choisir un nouveau mot de passe :\n\n${RESET_LINK}`,
      { textEncoding: 'base64' as const },
    ],
  ])('serves a %s mail (%s) decoded, newest first', async (encoding, _what, text, options) => {
    const subject = `Reset your Runnerly password (${encoding}, é)`;
    expect(await rawMessage({ subject, text, ...options })).toContain(
      `Content-Transfer-Encoding: ${encoding}`,
    );

    const info = await catcher.send({ to: 'ada@example.com', subject, text, ...options });

    expect(info.response).toMatch(/^250 /);
    const [newest] = await catcher.mails();
    expect(newest).toEqual({
      to: ['ada@example.com'],
      from: 'no-reply@runnerly.localhost',
      subject,
      text,
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('prints each mail as one block: who it is to, its subject, and its text with the link whole', async () => {
    const subject = 'Confirm your email address for Runnerly';
    const link = RESET_LINK.replace('reset-password', 'verify-email');

    await catcher.send({
      to: 'grace@example.com',
      subject,
      text: `Open this link to confirm it:\n\n${link}`,
    });

    const printed = await catcher.printedFrom('To:      grace@example.com');
    expect(catcher.lines.at(-printed.length - 1)).toMatch(/^==== Mail caught at \S+Z =+$/);
    expect(printed.slice(0, 8)).toEqual([
      'To:      grace@example.com',
      'From:    no-reply@runnerly.localhost',
      `Subject: ${subject}`,
      '',
      'Open this link to confirm it:',
      '',
      link,
      '='.repeat(72),
    ]);
  });

  it('gives back lines that start with a dot as they were written (the client doubled each dot, the catcher undoes it)', async () => {
    const text = 'Above\n.\n..\n.hidden\nBelow';

    await catcher.send({ to: 'ada@example.com', subject: 'Dots', text });

    expect((await catcher.mails())[0]!.text).toBe(text);
  });

  it('keeps a message that is not single-part text as it came', async () => {
    await catcher.send({ to: 'ada@example.com', subject: 'Two parts', text: 'plain', html: '<p>rich</p>' });

    const [newest] = await catcher.mails();
    expect(newest!.subject).toBe('Two parts');
    expect(newest!.text).toContain('Content-Type: text/plain');
    expect(newest!.text).toContain('Content-Type: text/html');
  });

  it('answers ?to= with the mails to that address only, whatever its case', async () => {
    await catcher.send({ to: 'Only.Me@example.com', subject: 'For one reader', text: 'Hello' });

    const mine = await catcher.mails('?to=only.me@EXAMPLE.com');
    expect(mine.map((mail) => mail.subject)).toEqual(['For one reader']);
    expect(await catcher.mails('?to=nobody@example.com')).toEqual([]);
  });

  it('prints a mail without the terminal control sequences it carries, and serves it as sent', async () => {
    // OSC 0 sets the terminal's title; others write to the clipboard or move the cursor over earlier lines.
    const text = 'Look \u001b]0;pwned\u0007here';

    await catcher.send({ to: 'ada@example.com', subject: 'Escapes', text });

    const printed = await catcher.printedFrom('Subject: Escapes');
    expect(printed).toContain('Look ]0;pwnedhere');
    expect(printed.join('\n')).not.toContain('\u001b');
    expect(printed.join('\n')).not.toContain('\u0007');
    expect((await catcher.mails())[0]!.text).toBe(text);
  });

  describe('over SMTP, to a client that breaks the rules', () => {
    it.each([
      ['an unknown command', ['EHLO client.example', 'HELLO'], '500 5.5.2'],
      ['a command line over 512 bytes', ['EHLO client.example', `NOOP ${'x'.repeat(600)}`], '500 5.5.2'],
      ['VRFY, which would tell which addresses exist', ['EHLO client.example', 'VRFY ada'], '502 5.5.1'],
      ['STARTTLS, which it does not offer', ['EHLO client.example', 'STARTTLS'], '502 5.5.1'],
      ['AUTH, which it does not offer', ['EHLO client.example', 'AUTH PLAIN AGFkYQBwdw=='], '502 5.5.1'],
      ['EHLO without a host name', ['EHLO'], '501 5.5.4'],
      ['MAIL before EHLO', ['MAIL FROM:<no-reply@runnerly.localhost>'], '503 5.5.1'],
      ['RCPT before MAIL', ['EHLO client.example', 'RCPT TO:<ada@example.com>'], '503 5.5.1'],
      ['DATA before RCPT', ['EHLO client.example', 'MAIL FROM:<a@runnerly.localhost>', 'DATA'], '503 5.5.1'],
      [
        'a second MAIL within a transaction',
        ['EHLO client.example', 'MAIL FROM:<a@runnerly.localhost>', 'MAIL FROM:<b@runnerly.localhost>'],
        '503 5.5.1',
      ],
      [
        'a recipient that is no address',
        ['EHLO client.example', 'MAIL FROM:<a@runnerly.localhost>', 'RCPT TO:<ada>'],
        '501 5.1.3',
      ],
      [
        'a message announced larger than the limit (SIZE=)',
        ['EHLO client.example', 'MAIL FROM:<a@runnerly.localhost> SIZE=100000000'],
        '552 5.3.4',
      ],
    ])('refuses %s', async (_what, lines, refusal) => {
      const smtp = await SmtpDialogue.open(catcher.smtpPort);
      let reply = '';
      for (const line of lines) reply = await smtp.send(line);
      expect(reply.slice(0, refusal.length + 1)).toBe(`${refusal} `);
      // The session goes on: the refusal was of that command only.
      expect(await smtp.send('NOOP')).toMatch(/^250 /);
      smtp.close();
    });

    it('offers its limits in EHLO, takes RSET and NOOP, and says goodbye to QUIT', async () => {
      const smtp = await SmtpDialogue.open(catcher.smtpPort);

      expect(await smtp.send('EHLO client.example')).toMatch(/^250-SIZE 262144$/m);
      expect(await smtp.send('MAIL FROM:<a@runnerly.localhost>')).toMatch(/^250 /);
      expect(await smtp.send('RSET')).toMatch(/^250 /);
      expect(await smtp.send('MAIL FROM:<b@runnerly.localhost>')).toMatch(/^250 /);
      expect(await smtp.send('NOOP')).toMatch(/^250 /);
      expect(await smtp.send('QUIT')).toMatch(/^221 /);
      expect(await smtp.reply()).toBe('closed');
    });

    it('ends a connection that starts like an HTTP request, before reading the SMTP commands in its body', async () => {
      const before = (await catcher.mails()).length;
      const smtp = await SmtpDialogue.open(catcher.smtpPort);

      const reply = await smtp.sendAll([
        'POST / HTTP/1.1',
        'Content-Type: text/plain',
        '',
        'HELO evil.example',
        'MAIL FROM:<a@evil.example>',
        'RCPT TO:<ada@example.com>',
        'DATA',
        'Subject: Reset your password at evil.example',
        '.',
      ]);

      expect(reply).toMatch(/^554 5\.7\.0 /);
      expect(await smtp.reply()).toBe('closed');
      expect(await catcher.mails()).toHaveLength(before);
    });

    it('ends the connection of a client that keeps sending wrong commands', async () => {
      const smtp = await SmtpDialogue.open(catcher.smtpPort);
      const replies: string[] = [];
      for (let attempt = 1; attempt <= 10; attempt++) replies.push(await smtp.send('WHAT'));

      expect(replies.slice(0, 9).every((reply) => reply.startsWith('500 '))).toBe(true);
      expect(replies[9]).toMatch(/^421 4\.7\.0 /);
      expect(await smtp.reply()).toBe('closed');
    });
  });

  describe('over HTTP', () => {
    it.each([
      ['another path', 'GET', '/inbox', {}, 404],
      ['another method', 'DELETE', '/mails', {}, 405],
      // DNS rebinding: a web page whose name now resolves to 127.0.0.1 reads as its own origin, with its Host.
      ['a Host header of a name other than localhost', 'GET', '/mails', { host: 'evil.example' }, 403],
    ])('refuses %s', async (_what, method, path, headers, status) => {
      expect(await statusOf(catcher, method, path, headers)).toBe(status);
    });

    it('answers a Host header of localhost or an IP address', async () => {
      for (const host of ['localhost:8025', '127.0.0.1', '[::1]:8025']) {
        expect(await statusOf(catcher, 'GET', '/mails', { host })).toBe(200);
      }
    });
  });
});

describe('the mail catcher, at its limits', () => {
  let catcher: Catcher;

  beforeAll(async () => {
    catcher = await Catcher.start('pretty', {
      MAIL_CATCHER_KEEP: '3',
      MAIL_CATCHER_MAX_MESSAGE_BYTES: '2048',
      MAIL_CATCHER_MAX_RECIPIENTS: '2',
    });
  });
  afterAll(() => catcher.stop());

  it('refuses a message over the size limit with 552, keeps none of it, and takes the next one', async () => {
    await expect(
      catcher.send({ to: 'ada@example.com', subject: 'Too big', text: 'x'.repeat(4_000) }),
    ).rejects.toMatchObject({ responseCode: 552 });
    await catcher.send({ to: 'ada@example.com', subject: 'Small', text: 'fits' });

    expect((await catcher.mails()).map((mail) => mail.subject)).toEqual(['Small']);
  });

  it('takes the first recipients up to the limit and refuses the others with a temporary 452', async () => {
    const info = await catcher.send({
      to: ['a@example.com', 'b@example.com', 'c@example.com'],
      subject: 'Many',
      text: 'Hello',
    });

    expect(info.accepted).toEqual(['a@example.com', 'b@example.com']);
    expect(info.rejected).toEqual(['c@example.com']);
    expect(info.rejectedErrors?.[0]).toMatchObject({ responseCode: 452 });
    expect((await catcher.mails())[0]!.to).toEqual(['a@example.com', 'b@example.com']);
  });

  it('keeps the last mails only, the oldest dropped first', async () => {
    for (const subject of ['one', 'two', 'three', 'four']) {
      await catcher.send({ to: 'ada@example.com', subject, text: 'Hello' });
    }

    expect((await catcher.mails()).map((mail) => mail.subject)).toEqual(['four', 'three', 'two']);
  });
});

describe('the mail catcher of npm start, in JSON mode', () => {
  it('prints each mail as one JSON line, which the launcher passes on as it is', async () => {
    const catcher = await Catcher.start('json');
    try {
      await catcher.send({
        to: 'ada@example.com',
        subject: 'Reset your Runnerly password',
        text: RESET_LINK,
      });

      const [line] = await catcher.printedFrom('"msg":"Mail to');
      expect(JSON.parse(line!)).toEqual({
        level: 'info',
        time: expect.any(String),
        service: 'mail',
        msg: 'Mail to ada@example.com: Reset your Runnerly password',
        to: ['ada@example.com'],
        from: 'no-reply@runnerly.localhost',
        subject: 'Reset your Runnerly password',
        text: RESET_LINK,
        receivedAt: expect.any(String),
      });
      expect(catcher.lines.every((printed) => JSON.parse(printed).service === 'mail')).toBe(true);
    } finally {
      await catcher.stop();
    }
  });
});

describe('the mail catcher, misconfigured', () => {
  it.each([
    ['MAIL_CATCHER_KEEP', 'lots', 'MAIL_CATCHER_KEEP must be a whole number from 1 to 10000, got "lots"'],
    ['MAIL_CATCHER_SMTP_PORT', '70000', 'MAIL_CATCHER_SMTP_PORT must be a whole number from 1 to 65535'],
    ['MAIL_CATCHER_HTTP_HOST', 'a host', 'MAIL_CATCHER_HTTP_HOST must be a host name or an IP address'],
    ['LOG_FORMAT', 'xml', 'LOG_FORMAT must be text or json, got "xml"'],
  ])('does not start with %s=%s, and says why', async (name, value, message) => {
    await expect(Catcher.start('pretty', { [name]: value })).rejects.toThrow(message);
  });
});

/** The status of a request to the catcher's HTTP side (node:http, as fetch does not send a Host of our choice). */
function statusOf(
  catcher: Catcher,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    request(`${mailCatcherUrl(catcher.config)}${path}`, { method, headers }, (response) => {
      response.resume();
      resolve(response.statusCode);
    })
      .on('error', reject)
      .end();
  });
}

/**
 * A raw SMTP connection: lines sent as given, and each reply read whole (RFC 5321 4.2.1: "250-" lines go on,
 * "250 " ends the reply).
 */
class SmtpDialogue {
  private received = '';
  private ended = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => (this.received += text));
    socket.on('close', () => (this.ended = true));
    socket.on('error', () => (this.ended = true));
  }

  /** Connects and reads the greeting. */
  static async open(port: number): Promise<SmtpDialogue> {
    const dialogue = new SmtpDialogue(connect(port, '127.0.0.1'));
    expect(await dialogue.reply()).toMatch(/^220 /);
    return dialogue;
  }

  send(line: string): Promise<string> {
    return this.sendAll([line]);
  }

  /** Writes the lines at once, as a client that does not wait for replies, and reads the first reply. */
  sendAll(lines: string[]): Promise<string> {
    this.socket.write(lines.map((line) => `${line}\r\n`).join(''));
    return this.reply();
  }

  /** The next reply, or 'closed' when the server ended the connection instead. */
  async reply(): Promise<string> {
    for (let waited = 0; waited < 5_000; waited += 10) {
      const end = /^\d{3} .*\r\n/m.exec(this.received);
      if (end) {
        const reply = this.received.slice(0, end.index + end[0].length);
        this.received = this.received.slice(reply.length);
        return reply.trimEnd().replaceAll('\r\n', '\n');
      }
      if (this.ended) return 'closed';
      await sleep(10);
    }
    throw new Error(`No reply within 5 s; received: ${JSON.stringify(this.received)}`);
  }

  close(): void {
    this.socket.destroy();
  }
}
