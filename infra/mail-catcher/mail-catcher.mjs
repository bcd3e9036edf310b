// A development SMTP server that delivers nothing: it catches the mails `users` sends (email confirmations,
// password resets), prints each one, and serves the last ones as JSON, so that a developer can open their links.
// Plain Node, no dependency: `npm start` runs it beside the services (tools/dev-stack), and docker-compose.yml
// runs it as the `mail` service on the stock Node image, this file mounted read-only. Its tests:
// tools/dev-stack/src/stack/mail-catcher.spec.ts.
//
//   GET /mails               the caught mails, newest first: [{ to, from, subject, text, receivedAt }]
//   GET /mails?to=<address>  only those sent to that address
//   GET /health/ready        200 once both servers listen
//
// Environment (all optional):
//   MAIL_CATCHER_SMTP_HOST, MAIL_CATCHER_SMTP_PORT   where mail is accepted              (127.0.0.1, 1025)
//   MAIL_CATCHER_HTTP_HOST, MAIL_CATCHER_HTTP_PORT   where the mails are read            (127.0.0.1, 8025)
//   MAIL_CATCHER_KEEP                                the mails kept, the oldest dropped  (100)
//   MAIL_CATCHER_MAX_MESSAGE_BYTES                   a larger message is refused         (262144)
//   MAIL_CATCHER_MAX_RECIPIENTS                      per message                         (50)
//   LOG_FORMAT                                       text (a block per mail) or json (a line per mail)
//
// Never for production: whoever reaches the HTTP port reads every mail, live reset links included.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, isIP } from 'node:net';
import { TextDecoder } from 'node:util';

const DEFAULTS = {
  smtpHost: '127.0.0.1',
  smtpPort: 1025,
  httpHost: '127.0.0.1',
  httpPort: 8025,
  keep: 100,
  maxMessageBytes: 256 * 1024,
  maxRecipients: 50,
  logFormat: 'text',
};
/** RFC 5321 4.5.3.1: a command line holds at most 512 octets, a line of the message 1000 (CRLF included). */
const MAX_COMMAND_LINE = 512;
const MAX_TEXT_LINE = 1000;
/** RFC 5321 4.5.3.2.7: a server waits at least 5 minutes for the next command. */
const IDLE_TIMEOUT_MS = 5 * 60_000;
/** A client this wrong is not a mail client: the connection ends. */
const MAX_ERRORS = 10;
const MAX_CONNECTIONS = 20;
/** Commands of RFC 5321 and its extensions that this server does not offer. */
const NOT_IMPLEMENTED = new Set(['VRFY', 'EXPN', 'HELP', 'TURN', 'ETRN', 'STARTTLS', 'AUTH', 'BDAT']);
/**
 * A web page can make a browser POST to this port, with SMTP commands for a body: a fake mail, a phishing link
 * in the developer's terminal. Such a connection starts with an HTTP request line, so that line ends it before
 * the body is read (as Postfix's smtpd_forbidden_commands does).
 */
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT']);
const SERVER_NAME = 'runnerly-mail-catcher';
const CRLF = Buffer.from('\r\n');

/** The options from the environment; throws one message naming every invalid variable. */
function readOptions(env) {
  const problems = [];
  const read = (name) => (env[name]?.trim() ? env[name].trim() : undefined);
  const integer = (name, fallback, min, max) => {
    const value = read(name);
    if (value === undefined) return fallback;
    if (/^\d{1,9}$/.test(value) && Number(value) >= min && Number(value) <= max) return Number(value);
    problems.push(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
    return fallback;
  };
  const host = (name, fallback) => {
    const value = read(name) ?? fallback;
    if (/^[A-Za-z0-9.:_-]{1,255}$/.test(value)) return value;
    problems.push(`${name} must be a host name or an IP address, got "${value}"`);
    return fallback;
  };
  const options = {
    smtpHost: host('MAIL_CATCHER_SMTP_HOST', DEFAULTS.smtpHost),
    smtpPort: integer('MAIL_CATCHER_SMTP_PORT', DEFAULTS.smtpPort, 1, 65_535),
    httpHost: host('MAIL_CATCHER_HTTP_HOST', DEFAULTS.httpHost),
    httpPort: integer('MAIL_CATCHER_HTTP_PORT', DEFAULTS.httpPort, 1, 65_535),
    keep: integer('MAIL_CATCHER_KEEP', DEFAULTS.keep, 1, 10_000),
    maxMessageBytes: integer(
      'MAIL_CATCHER_MAX_MESSAGE_BYTES',
      DEFAULTS.maxMessageBytes,
      1024,
      64 * 1024 * 1024,
    ),
    maxRecipients: integer('MAIL_CATCHER_MAX_RECIPIENTS', DEFAULTS.maxRecipients, 1, 1000),
    logFormat: read('LOG_FORMAT') ?? DEFAULTS.logFormat,
  };
  if (!['text', 'json'].includes(options.logFormat)) {
    problems.push(`LOG_FORMAT must be text or json, got "${options.logFormat}"`);
  }
  if (problems.length > 0) throw new Error(`the environment needs fixing:\n  - ${problems.join('\n  - ')}`);
  return options;
}

/**
 * One SMTP connection (RFC 5321): EHLO or HELO, then transactions of MAIL FROM, RCPT TO and DATA, with RSET,
 * NOOP and QUIT at any time. A message that arrives whole goes to `onMail`; nothing is ever sent on.
 */
class SmtpSession {
  #socket;
  #options;
  #onMail;
  #greeted = false;
  /** The reverse path of the transaction under way (`''` for the null sender), or undefined. */
  #sender = undefined;
  #recipients = [];
  /** While the message is read: its lines so far, and why it will be refused. */
  #data = undefined;
  #errors = 0;
  #closed = false;
  /** The line being received, up to its limit; then only the fact that it is too long. */
  #line = [];
  #lineBytes = 0;
  #lineTooLong = false;

  constructor(socket, options, onMail) {
    this.#socket = socket;
    this.#options = options;
    this.#onMail = onMail;
    socket.on('error', () => socket.destroy());
    // An idle client is told goodbye; one still there at the next timeout, which never closed its end, is cut off.
    socket.setTimeout(IDLE_TIMEOUT_MS, () =>
      this.#closed ? socket.destroy() : this.#close('421 4.4.2 Idle for too long, closing'),
    );
    socket.on('data', (chunk) => this.#receive(chunk));
    this.#reply(`220 ${SERVER_NAME} ESMTP: catches mail for development and delivers none`);
  }

  /** Splits what arrives into lines, holding at most one line's limit of a line that never ends. */
  #receive(chunk) {
    let start = 0;
    while (start < chunk.length && !this.#closed) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.#lineTooLong) {
        this.#line.push(chunk.subarray(start, end));
        this.#lineBytes += end - start;
        // The limit counts the line feed still to come.
        if (this.#lineBytes + 1 > (this.#data ? MAX_TEXT_LINE : MAX_COMMAND_LINE)) {
          this.#lineTooLong = true;
          this.#line = [];
        }
      }
      if (newline === -1) return;
      start = newline + 1;
      const line = Buffer.concat(this.#line);
      const tooLong = this.#lineTooLong;
      this.#line = [];
      this.#lineBytes = 0;
      this.#lineTooLong = false;
      if (tooLong) this.#onLineTooLong();
      else this.#onLine(line.at(-1) === 0x0d ? line.subarray(0, -1) : line);
    }
  }

  #onLine(line) {
    if (this.#data) return this.#onDataLine(line);
    const [, verb, argument] = /^(\S*) ?(.*)$/s.exec(line.toString('utf8'));
    const command = verb.toUpperCase();
    if (HTTP_METHODS.has(command)) return this.#close('554 5.7.0 This is an SMTP server, not a web server');
    switch (command) {
      case 'EHLO':
      case 'HELO':
        return this.#hello(command, argument.trim());
      case 'MAIL':
        return this.#mailFrom(argument);
      case 'RCPT':
        return this.#rcptTo(argument);
      case 'DATA':
        return this.#startData(argument);
      case 'RSET':
        this.#resetTransaction();
        return this.#reply('250 2.0.0 OK');
      case 'NOOP':
        return this.#reply('250 2.0.0 OK');
      case 'QUIT':
        return this.#close('221 2.0.0 Bye');
      default:
        return NOT_IMPLEMENTED.has(command)
          ? this.#refuse('502 5.5.1 Command not implemented')
          : this.#refuse('500 5.5.2 Command not recognized');
    }
  }

  #hello(command, client) {
    if (!/^\S{1,255}$/.test(client)) return this.#refuse(`501 5.5.4 Syntax: ${command} <your host name>`);
    this.#greeted = true;
    this.#resetTransaction();
    if (command === 'HELO') return this.#reply(`250 ${SERVER_NAME}`);
    // SIZE (RFC 1870) tells the client the limit before it sends anything.
    this.#reply(
      `250-${SERVER_NAME} greets ${client}`,
      `250-SIZE ${this.#options.maxMessageBytes}`,
      '250-8BITMIME',
      '250 ENHANCEDSTATUSCODES',
    );
  }

  #mailFrom(argument) {
    if (!this.#greeted) return this.#refuse('503 5.5.1 Say EHLO first');
    if (this.#sender !== undefined) return this.#refuse('503 5.5.1 A transaction is under way: RSET first');
    const match = /^FROM: ?<([^<>\s]*)>(.*)$/i.exec(argument);
    if (!match || (match[1] !== '' && !isAddress(match[1]))) {
      return this.#refuse('501 5.1.7 Syntax: MAIL FROM:<address>');
    }
    const size = /(?:^|\s)SIZE=(\d{1,12})(?:\s|$)/i.exec(match[2]);
    if (size && Number(size[1]) > this.#options.maxMessageBytes) {
      return this.#reply(`552 5.3.4 A message may have at most ${this.#options.maxMessageBytes} bytes`);
    }
    this.#sender = match[1];
    this.#reply('250 2.1.0 OK');
  }

  #rcptTo(argument) {
    if (this.#sender === undefined) return this.#refuse('503 5.5.1 MAIL FROM first');
    const match = /^TO: ?<([^<>\s]+)>(?=\s|$)/i.exec(argument);
    if (!match || !isAddress(match[1])) return this.#refuse('501 5.1.3 Syntax: RCPT TO:<address>');
    // RFC 5321 4.5.3.1.10: a temporary refusal, so that a client sends the other recipients another time.
    if (this.#recipients.length >= this.#options.maxRecipients) {
      return this.#reply('452 4.5.3 Too many recipients');
    }
    this.#recipients.push(match[1]);
    this.#reply('250 2.1.5 OK (caught here, never delivered)');
  }

  #startData(argument) {
    if (argument !== '') return this.#refuse('501 5.5.4 DATA takes no argument');
    if (this.#sender === undefined) return this.#refuse('503 5.5.1 MAIL FROM first');
    if (this.#recipients.length === 0) return this.#refuse('503 5.5.1 RCPT TO first');
    this.#data = { lines: [], bytes: 0, tooBig: false, lineTooLong: false };
    this.#reply('354 End the message with a line holding a single dot');
  }

  #onDataLine(line) {
    const data = this.#data;
    if (line.length === 1 && line[0] === 0x2e) return this.#endData();
    // RFC 5321 4.5.2: the client doubled each line's leading dot, so that a lone dot can only end the message.
    const content = line[0] === 0x2e ? line.subarray(1) : line;
    data.bytes += content.length + 2;
    if (data.bytes > this.#options.maxMessageBytes) {
      // Read on to the end, keeping nothing, to answer then: the client is not listening before.
      data.tooBig = true;
      data.lines = [];
    }
    if (!data.tooBig) data.lines.push(content);
  }

  #onLineTooLong() {
    if (this.#data) this.#data.lineTooLong = true;
    else this.#refuse('500 5.5.2 Line too long');
  }

  #endData() {
    const { lines, tooBig, lineTooLong } = this.#data;
    this.#data = undefined;
    if (tooBig) {
      this.#reply(`552 5.3.4 A message may have at most ${this.#options.maxMessageBytes} bytes`);
    } else if (lineTooLong) {
      this.#reply(`500 5.5.2 A line of the message is longer than ${MAX_TEXT_LINE} bytes`);
    } else {
      this.#onMail({
        to: this.#recipients,
        from: this.#sender,
        ...readMessage(lines),
        receivedAt: new Date().toISOString(),
      });
      this.#reply('250 2.0.0 OK: caught, not delivered');
    }
    this.#resetTransaction();
  }

  #resetTransaction() {
    this.#sender = undefined;
    this.#recipients = [];
  }

  #refuse(reply) {
    this.#errors += 1;
    if (this.#errors >= MAX_ERRORS) return this.#close('421 4.7.0 Too many errors, closing');
    this.#reply(reply);
  }

  #reply(...lines) {
    if (!this.#closed) this.#socket.write(lines.map((line) => `${line}\r\n`).join(''));
  }

  #close(reply) {
    this.#reply(reply);
    this.#closed = true;
    this.#socket.end();
  }
}

/** An address of a mailbox, loosely: RFC 5321's limits on its parts, one @, no spaces. */
function isAddress(address) {
  const at = address.lastIndexOf('@');
  return address.length <= 254 && at >= 1 && at <= 64 && at < address.length - 1;
}

/** The subject and the text of a message, decoded: what a developer wants to read. */
function readMessage(lines) {
  const blank = lines.findIndex((line) => line.length === 0);
  const headers = readHeaders(blank === -1 ? lines : lines.slice(0, blank));
  const body = blank === -1 ? [] : lines.slice(blank + 1);
  return {
    subject: decodeEncodedWords(headers.get('subject') ?? ''),
    text: readText(headers, Buffer.concat(body.flatMap((line, i) => (i === 0 ? [line] : [CRLF, line])))),
  };
}

/** Header fields by lower-case name (the first of each), unfolded (RFC 5322 2.2.3). */
function readHeaders(lines) {
  const headers = new Map();
  let current;
  for (const line of lines.map((bytes) => bytes.toString('utf8'))) {
    if (/^[ \t]/.test(line)) {
      if (current !== undefined) headers.set(current, headers.get(current) + line);
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : undefined;
    current = name !== undefined && !headers.has(name) ? name : undefined;
    if (current !== undefined) headers.set(current, line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * The text of a single-part text/plain message, decoded from its transfer encoding (RFC 2045: quoted-printable
 * or base64) and its charset. Anything else (multipart, HTML) is kept as it came. Line ends become \n.
 */
function readText(headers, body) {
  const contentType = headers.get('content-type') ?? 'text/plain';
  if (contentType.split(';')[0].trim().toLowerCase() !== 'text/plain') {
    return body.toString('utf8').replaceAll('\r\n', '\n');
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  const bytes =
    encoding === 'quoted-printable'
      ? quotedPrintableBytes(body.toString('latin1'))
      : encoding === 'base64'
        ? Buffer.from(body.toString('latin1'), 'base64')
        : body;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  return decodeText(bytes, charset).replaceAll('\r\n', '\n');
}

/** RFC 2045 6.7: "=" at a line's end joins it to the next; "=XX" is the byte XX; anything else is itself. */
function quotedPrintableBytes(text) {
  const joined = text.replace(/=[ \t]*\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === '=' ? joined.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(joined.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047: a header's =?charset?Q?...?= and =?charset?B?...?= words; the space between two of them goes. */
function decodeEncodedWords(value) {
  return value
    .replace(/\?=[ \t]+=\?/g, '?==?')
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (_word, charset, encoding, encoded) =>
      decodeText(
        encoding.toUpperCase() === 'B'
          ? Buffer.from(encoded, 'base64')
          : quotedPrintableBytes(encoded.replaceAll('_', ' ')),
        charset,
      ),
    );
}

/** Bytes as text in their charset (RFC 2231's "*language" suffix ignored); UTF-8 when the charset is unknown. */
function decodeText(bytes, charset) {
  try {
    return new TextDecoder(charset.split('*')[0]).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/** The last `keep` mails, newest first. */
class MailStore {
  #mails = [];
  #keep;

  constructor(keep) {
    this.#keep = keep;
  }

  add(mail) {
    this.#mails.unshift(mail);
    this.#mails.length = Math.min(this.#mails.length, this.#keep);
  }

  /** The mails to `to` (any case), or all of them. */
  list(to) {
    if (to === null) return this.#mails;
    const wanted = to.toLowerCase();
    return this.#mails.filter((mail) => mail.to.some((recipient) => recipient.toLowerCase() === wanted));
  }
}

/** GET /mails and GET /health/ready, as JSON. */
function createMailApi(store, options) {
  return createHttpServer((request, response) => {
    const send = (status, body, headers = {}) => {
      response.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...headers,
      });
      response.end(`${JSON.stringify(body)}\n`);
    };
    if (!isHostAllowed(request.headers.host, options.httpHost)) {
      return send(403, { error: 'Use an IP address, localhost or the configured host' });
    }
    if (request.method !== 'GET') return send(405, { error: 'Only GET' }, { allow: 'GET' });
    const url = new URL(request.url ?? '/', 'http://mail-catcher');
    if (url.pathname === '/health/ready') return send(200, { status: 'ok' });
    if (url.pathname !== '/mails') return send(404, { error: 'Only /mails and /mails?to=<address>' });
    const to = url.searchParams.get('to');
    if (to !== null && to.length > 254) return send(400, { error: 'to: at most 254 characters' });
    send(200, store.list(to));
  });
}

/**
 * DNS rebinding: a web page whose host name then resolves to 127.0.0.1 would read the mails as its own
 * origin. It can only send its own name in Host, so a request is answered only when Host is an IP address,
 * localhost, or the host this server was told to listen on.
 */
function isHostAllowed(hostHeader, configuredHost) {
  if (hostHeader === undefined) return false;
  const name = hostHeader
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  return isIP(name) !== 0 || name === 'localhost' || name === configuredHost.toLowerCase();
}

/** What each line printed looks like: a block of text for a person, or one JSON object (as the services log). */
function createLog(format) {
  const line =
    format === 'json'
      ? (msg, fields = {}) =>
          JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'mail', msg, ...fields })
      : (msg) => msg;
  return {
    info: (msg) => process.stdout.write(`${line(msg)}\n`),
    mail: (mail) => {
      if (format === 'json') {
        return process.stdout.write(`${line(`Mail to ${mail.to.join(', ')}: ${mail.subject}`, mail)}\n`);
      }
      const block = [
        `==== Mail caught at ${mail.receivedAt} `.padEnd(72, '='),
        `To:      ${mail.to.join(', ')}`,
        `From:    ${mail.from || '<>'}`,
        `Subject: ${mail.subject}`,
        '',
        mail.text.trimEnd(),
        '='.repeat(72),
      ];
      process.stdout.write(`${printable(block.join('\n'))}\n`);
    },
  };
}

/**
 * A line without control characters (tab aside): a mail could carry terminal escape sequences, which would
 * otherwise rewrite the developer's terminal (the title, the clipboard, what was printed before).
 */
function printable(text) {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, resolve);
  });
}

async function main() {
  const options = readOptions(process.env);
  const log = createLog(options.logFormat);
  const store = new MailStore(options.keep);
  const smtp = createTcpServer(
    (socket) =>
      new SmtpSession(socket, options, (mail) => {
        store.add(mail);
        log.mail(mail);
      }),
  );
  smtp.maxConnections = MAX_CONNECTIONS;
  // SMTP first: once /health/ready answers, mail is accepted too.
  await listen(smtp, options.smtpPort, options.smtpHost);
  await listen(createMailApi(store, options), options.httpPort, options.httpHost);
  log.info(
    `Catching mail on SMTP ${options.smtpHost}:${options.smtpPort} (none is delivered); ` +
      `read it at http://${options.httpHost}:${options.httpPort}/mails`,
  );
}

// As PID 1 in a container, Node has no default action for these signals: without a handler, `docker stop`
// waits its grace period and then kills. The mails live in memory only, so there is nothing to finish.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));

main().catch((error) => {
  process.stderr.write(`mail-catcher did not start: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
