import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type StubHandler = (request: RecordedRequest, response: ServerResponse) => void;

/** A handler that answers `status` with `body` as JSON (no body when it is undefined). */
export const answerJson =
  (status: number, body?: object): StubHandler =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };

const answerOk: StubHandler = (request, response) => {
  response.writeHead(request.method === 'DELETE' ? 204 : 200, { 'content-type': 'application/json' });
  response.end(
    request.method === 'DELETE'
      ? undefined
      : JSON.stringify({ upstreamSaw: { method: request.method, url: request.url } }),
  );
};

/**
 * Stands in for `users` or `runs` on 127.0.0.1: records every request it receives and answers with the
 * current handler. Ready by default (200 on /health/ready).
 */
export class StubUpstream {
  readonly requests: RecordedRequest[] = [];
  /** How many readiness probes it answered (they are not recorded as requests). */
  readinessProbes = 0;
  handler: StubHandler = answerOk;
  /** Served at /openapi.json when set, as the real services do in development. */
  openApiDocument?: object;
  /** Connections open now, and how many of those ended were closed by the client (the gateway). */
  openConnections = 0;
  connectionsClosedByClient = 0;

  private constructor(private readonly server: Server) {
    server.on('connection', (socket) => {
      this.openConnections++;
      socket.once('end', () => this.connectionsClosedByClient++);
      socket.once('close', () => this.openConnections--);
    });
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const recorded = {
          method: request.method!,
          url: request.url!,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        };
        if (recorded.url === '/health/ready') {
          this.readinessProbes++;
          return void response.writeHead(200).end('{"status":"ok"}');
        }
        if (recorded.url === '/openapi.json') {
          if (!this.openApiDocument) return void response.writeHead(404).end();
          return void response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(this.openApiDocument));
        }
        this.requests.push(recorded);
        this.handler(recorded, response);
      });
    });
  }

  static async start(): Promise<StubUpstream> {
    const server = createServer({ keepAliveTimeout: 60_000 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new StubUpstream(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get last(): RecordedRequest | undefined {
    return this.requests.at(-1);
  }

  reset(): void {
    this.requests.length = 0;
    this.handler = answerOk;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
