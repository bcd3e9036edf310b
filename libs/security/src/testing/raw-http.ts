import { connect, type Socket } from 'node:net';

/** What came back on a raw connection: the bytes, parsed as far as an HTTP/1.1 response goes. */
export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from connecting to the server closing the connection. */
  closedAfterMs: number;
}

/**
 * A raw TCP client for tests of what happens below HTTP frameworks: slow clients, malformed requests,
 * connection limits. `send` writes the given chunks, waiting `gapMs` between them (a slow client),
 * stopping early if the server closes the connection.
 */
export class RawHttpClient {
  readonly socket: Socket;
  private received = '';
  private readonly opened = Date.now();
  readonly closed: Promise<RawResponse>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.received += chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () =>
        resolve({ ...parseResponse(this.received), closedAfterMs: Date.now() - this.opened }),
      ),
    );
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawHttpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => resolve(new RawHttpClient(socket)));
      socket.once('error', reject);
    });
  }

  async send(chunks: readonly string[], gapMs = 0): Promise<void> {
    for (const [index, chunk] of chunks.entries()) {
      if (this.socket.destroyed || this.socket.writableEnded) return;
      if (index > 0 && gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      if (this.socket.destroyed) return;
      this.socket.write(chunk);
    }
  }

  /** What arrived so far, parsed. */
  get response(): Omit<RawResponse, 'closedAfterMs'> {
    return parseResponse(this.received);
  }

  close(): void {
    this.socket.destroy();
  }
}

function parseResponse(text: string): Omit<RawResponse, 'closedAfterMs'> {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    body: rest.join('\r\n\r\n'),
  };
}
