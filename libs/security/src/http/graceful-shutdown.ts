import { type Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { type ErrorReply, sendError } from '../errors/error-response';

/** How a service stops on SIGTERM or SIGINT (see `prepareGracefulShutdown`). */
export interface ShutdownOptions {
  /**
   * How long readiness fails while requests are still served, so that load balancers and orchestrators
   * notice and stop sending traffic before the listener closes. 0 where nothing balances (npm start).
   */
  drainDelayMs: number;
  /** Then, how long in-flight requests get to finish before their connections are cut (and exit is 1). */
  timeoutMs: number;
}

/** A balancer probing every 1-2 s, twice, sees the failed readiness within 5 s; 10 s covers a slow upstream call. */
export const DEFAULT_SHUTDOWN: ShutdownOptions = { drainDelayMs: 5_000, timeoutMs: 10_000 };

/** What a client is told to wait before retrying on another instance, or on this one once replaced. */
export const SHUTDOWN_RETRY_AFTER_SECONDS = 1;

/**
 * Marks the 503 of an instance whose listener has closed: the request was refused before any handler ran,
 * so a proxy may send it to another instance whatever its method (the gateway does; it never passes this
 * header on to clients).
 */
export const INSTANCE_STOPPING_HEADER = 'x-instance-stopping';

/**
 * Marks every answer of an instance that is shutting down, from SIGTERM on. A proxy that balances over
 * instances itself (the gateway) stops opening connections to it at once, as a balancer probing readiness
 * would within seconds: a connection still waiting in the listen queue when the listener closes is reset by
 * the kernel, with its request already sent and no way to prove it never ran.
 */
export const INSTANCE_DRAINING_HEADER = 'x-instance-draining';

const READINESS_PATH = '/health/ready';
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

type Phase = 'serving' | 'draining' | 'closing';

/**
 * Stops without dropping traffic. A restart that simply closes the listener fails every request a balancer
 * still sends for the seconds it needs to notice (502s, resets), and Fastify's own answer while closing is
 * a bare framework body without a code or request id. On SIGTERM (or SIGINT) the service instead:
 * 1. fails `/health/ready` at once (503) while serving everything else normally, for `drainDelayMs`;
 * 2. closes the listener and lets in-flight requests finish, at most `timeoutMs`; every answer from step 1
 *    on carries `Connection: close`, so clients reconnect elsewhere, and INSTANCE_DRAINING_HEADER; a request that still arrives on an
 *    open connection is read whole, then gets the safe 503 `SERVICE.UNAVAILABLE`, marked as never run (a
 *    proxy retries it);
 *    idle keep-alive connections are left to close at their keep-alive timeout (see `stopListening`);
 * 3. runs Nest's shutdown hooks (databases, Redis), once no request can need them, and exits 0
 *    (1 when the timeout cut requests).
 */
export function prepareGracefulShutdown(app: NestFastifyApplication, options: ShutdownOptions): void {
  const exit = (code: number) => process.exit(code);
  const logger = new Logger('Shutdown');
  const fastify = app.getHttpAdapter().getInstance();
  let phase: Phase = 'serving';
  let inFlight = 0;
  (app.getHttpServer() as Server).on('request', (_request, response) => {
    inFlight++;
    response.once('close', () => inFlight--);
  });

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (phase === 'draining' && request.url.split('?', 1)[0] === READINESS_PATH) {
      // The body of a failed readiness probe (the health module's own answer when a check fails).
      return reply.status(503).send({ status: 'unavailable' });
    }
    return undefined;
  });
  // After the body is read, still before any handler: a refusal sent while body bytes are unread makes the
  // connection close with unread data, which the kernel turns into a reset that can reach the proxy before
  // the 503 does, and a reset does not prove "never run" (the gateway then may not retry a write: a 502).
  fastify.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    if (phase === 'closing') {
      void reply
        .header('retry-after', String(SHUTDOWN_RETRY_AFTER_SECONDS))
        .header(INSTANCE_STOPPING_HEADER, '1');
      sendError(
        reply as unknown as ErrorReply,
        new AppException(ErrorCode.ServiceUnavailable, 'The service is shutting down. Retry shortly.'),
        String(request.id),
      );
      return reply;
    }
    return undefined;
  });
  fastify.addHook('onSend', async (_request: FastifyRequest, reply: FastifyReply) => {
    if (phase !== 'serving') void reply.header('connection', 'close').header(INSTANCE_DRAINING_HEADER, '1');
  });

  const shutDown = async (signal: NodeJS.Signals): Promise<void> => {
    if (phase !== 'serving') return;
    phase = 'draining';
    logger.log(
      { signal, drainDelayMs: options.drainDelayMs, timeoutMs: options.timeoutMs },
      'Shutting down: readiness fails now, requests are served while balancers notice',
    );
    await sleep(options.drainDelayMs);
    phase = 'closing';
    const server = app.getHttpServer() as Server;
    const closed = stopListening(server, { closeIdleAtOnce: options.drainDelayMs === 0 });
    let cut = false;
    const deadline = setTimeout(() => {
      server.closeIdleConnections();
      if (inFlight === 0) return;
      cut = true;
      logger.warn({ timeoutMs: options.timeoutMs }, 'Shutdown timeout: cutting the requests still running');
      server.closeAllConnections();
    }, options.timeoutMs);
    await closed;
    clearTimeout(deadline);
    await app.close();
    logger.log({ signal }, 'Stopped');
    exit(cut ? 1 : 0);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    shutDown(signal).catch((error: unknown) => {
      logger.error({ error: error instanceof Error ? error.message : String(error) }, 'Shutdown failed');
      exit(1);
    });
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  // An app closed another way (a test's app.close()) leaves no listener behind.
  fastify.addHook('onClose', async () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  });
}

/**
 * Stops accepting connections; resolves once the last open one has ended. Node's `http.Server#close`
 * would also close the idle keep-alive connections at once, but a client may be sending a request on one
 * at that very moment: the request then dies with a reset, which a proxy cannot tell from a request that
 * ran, so it may not retry a write. Left open instead, an idle connection either carries one more request,
 * answered with the retryable 503, or is closed by its client (the gateway closes idle upstream connections
 * after 2 s), or by the server at its keep-alive timeout, which the client was told (`Keep-Alive: timeout=…`)
 * and stops using it before (undici: 2 s before). With no drain delay
 * there is no balancer and no other instance to retry on: idle connections close at once (a quick Ctrl-C).
 */
function stopListening(server: Server, { closeIdleAtOnce }: { closeIdleAtOnce: boolean }): Promise<void> {
  return new Promise<void>((resolve) => {
    NetServer.prototype.close.call(server, () => resolve());
    if (closeIdleAtOnce) server.closeIdleConnections();
  });
}
