import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type TestKeys } from './test-keys';

/**
 * The attacker's server for `jku` and `x5u` forgeries, on 127.0.0.1 (a random port): it serves the
 * attacker's key set at `/jwks.json` and certificate at `/certificate.pem`, so that a verifier that
 * followed a URL from a token header would find a key that verifies the forgery. It records every
 * request: a test asserts that `requests` stays empty.
 */
export class KeyUrlTrap {
  readonly requests: string[] = [];

  private constructor(
    private readonly server: Server,
    keys: TestKeys,
  ) {
    const documents: Record<string, [string, string]> = {
      '/jwks.json': ['application/json', JSON.stringify({ keys: [keys.foreignPublicJwk] })],
      '/certificate.pem': ['application/x-pem-file', keys.foreignCertificate.toString()],
    };
    server.on('request', (request, response) => {
      this.requests.push(`${request.method} ${request.url}`);
      const document = documents[request.url ?? ''];
      if (!document) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': document[0] }).end(document[1]);
    });
  }

  static async start(keys: TestKeys): Promise<KeyUrlTrap> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new KeyUrlTrap(server, keys);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
