import { once } from 'node:events';
import { createServer } from 'node:http';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';

/** The two probe paths of every service (HealthModule in @runnerly/platform serves them). */
const PROBE_PATHS = new Set(['/health/live', '/health/ready']);

/**
 * A second listener, plain HTTP on 127.0.0.1:`port`, for a probe inside the container (Docker's healthcheck)
 * when the service itself asks every client for a certificate (mutual TLS). It answers GET /health/live and
 * /health/ready through the application itself (`inject`: the same checks, and the same 503 while draining),
 * 503 until the application is ready, and 404 to anything else. Loopback only: nothing outside the container
 * reaches it, so it is no way around mutual TLS, and the health answers hold nothing secret.
 */
export async function listenForHealthProbes(app: NestFastifyApplication, port: number): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  let ready = false;
  fastify.addHook('onReady', async () => {
    ready = true;
  });
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    if (request.method !== 'GET' || !PROBE_PATHS.has(path)) {
      response.writeHead(404).end();
      return;
    }
    if (!ready) {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"starting"}');
      return;
    }
    fastify.inject({ method: 'GET', url: path }).then(
      (answer) =>
        response.writeHead(answer.statusCode, { 'content-type': 'application/json' }).end(answer.body),
      () => response.writeHead(503).end(),
    );
  });
  fastify.addHook('onClose', async () => {
    server.close();
    server.closeAllConnections();
  });
  // Awaited, so that a port already taken stops the boot instead of leaving the service without probes.
  server.listen(port, '127.0.0.1');
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error)),
  ]);
}
