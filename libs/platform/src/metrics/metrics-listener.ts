import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type ServiceMetrics } from './service-metrics';

export const METRICS_PATH = '/metrics';

/**
 * The metrics' own plain-HTTP listener: GET /metrics, 404 to anything else, no authentication. It is never
 * the API's port, so the gateway cannot route to it and it is never public; production binds it to the
 * internal network only, where Prometheus scrapes it.
 */
export class MetricsListener {
  private server?: Server;

  constructor(private readonly metrics: ServiceMetrics) {}

  /** Resolves once listening, so that a port already taken stops the boot. */
  async listen(port: number, host: string): Promise<void> {
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url !== METRICS_PATH) {
        response.writeHead(404).end();
        return;
      }
      this.metrics.exposition().then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        () => response.writeHead(500).end(),
      );
    });
    this.server = server;
    server.listen(port, host);
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => Promise.reject(error)),
    ]);
  }

  /** The port it listens on (the configured one). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
