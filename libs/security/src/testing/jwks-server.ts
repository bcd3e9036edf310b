import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Jwks } from '../tokens/signing-key-ring';

/**
 * Stands in for `users`' `/.well-known/jwks.json` on 127.0.0.1 (a random port), so that a verifying
 * service under test fetches its keys over HTTP exactly as in production. `publish` changes the keys (a rotation on the issuer).
 */
export class JwksServer {
  /** How many times the JWKS was fetched. */
  fetches = 0;

  private constructor(
    private readonly server: Server,
    private jwks: Jwks,
  ) {
    server.on('request', (request, response) => {
      if (request.method !== 'GET' || request.url !== '/.well-known/jwks.json') {
        response.writeHead(404).end();
        return;
      }
      this.fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.jwks));
    });
  }

  static async start(jwks: Jwks): Promise<JwksServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new JwksServer(server, jwks);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  publish(jwks: Jwks): void {
    this.jwks = jwks;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
