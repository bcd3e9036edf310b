import { type Server as HttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import { type DynamicModule, type Type, UnsupportedMediaTypeException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { type ErrorReply, sendError } from '../errors/error-response';
import { AuditEvent, AuditLog } from '../logging/audit-log.service';
import {
  answerClientError,
  type ConnectionLimits,
  fastifyTimeoutsOf,
  limitConnectionsPerClient,
} from './connection-limits';
import { DEFAULT_SHUTDOWN, prepareGracefulShutdown, type ShutdownOptions } from './graceful-shutdown';
import { applyHttpHardening, type HttpHardeningOptions, setSecurityHeaders } from './http-hardening';
import { listenForHealthProbes } from './health-listener';
import { refuseDeepJson } from './json-depth';
import { REQUEST_ID_HEADER, requestIdGenerator } from './request-id';
import { recordServedRoutes } from './served-routes';
import { refuseClientsNotNamed } from './tls';
import { unhookedAnswerSent } from './unhooked-answers';

export interface ServiceAppOptions extends HttpHardeningOptions {
  /** Larger bodies are refused with 413 before they are parsed. */
  bodyLimitBytes: number;
  /** Reverse proxies in front of the service; the client IP is read that many hops back in X-Forwarded-For. */
  trustProxyHops: number;
  /** Internal services accept the gateway's request id; the gateway makes its own. */
  trustIncomingRequestId: boolean;
  /**
   * Routes, as declared (`/oauth/token`), that also take application/x-www-form-urlencoded bodies: OAuth 2.0
   * token requests are forms. Every other route refuses a form with 415, as any body that is not JSON.
   */
  formBodyRoutes?: readonly string[];
  /** Timeouts against slow clients, and open connections per client. */
  connectionLimits: ConnectionLimits;
  /** An IPv6 client is one network of this many bits (for the connection limit). Default: 64. */
  ipv6PrefixLength?: number;
  /** How the service stops on SIGTERM/SIGINT. Default: DEFAULT_SHUTDOWN. */
  shutdown?: ShutdownOptions;
  /** Serve HTTPS with these options (httpsServerOptions); unset: plain HTTP. */
  https?: HttpsServerOptions;
  /** With client certificates required (`https.requestCert`): the DNS names of the clients that may call. */
  tlsClientNames?: readonly string[];
  /** A plain-HTTP listener on 127.0.0.1 for the health probes only (listenForHealthProbes). */
  healthPort?: number;
}

/**
 * Trust exactly `hops` proxies: the client address is the one `hops` entries back from the end of
 * X-Forwarded-For (entry 0 being the socket peer), so entries a client adds in front of it are ignored.
 * Never `true`, which would let any client pick its IP (and so its rate-limit bucket). A hop count does
 * not check who the peer is, so a service with hops > 0 must be reachable only through its proxies
 * (Fastify refuses a bare number for this reason; the function states the choice explicitly).
 */
export function trustedHops(hops: number): false | ((address: string, hopIndex: number) => boolean) {
  return hops > 0 ? (_address, hopIndex) => hopIndex < hops : false;
}

/**
 * Creates a Runnerly service on Fastify with its HTTP protections applied. Every service's `main.ts`
 * calls it, so that no service can forget one. The root module must import `LoggingModule`.
 */
export async function createServiceApp(
  rootModule: Type | DynamicModule,
  options: ServiceAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    ...fastifyTimeoutsOf(options.connectionLimits),
    // Fastify then creates Node's HTTPS server, which takes the connection limits and timeouts as the HTTP one.
    ...(options.https ? { https: options.https } : {}),
    bodyLimit: options.bodyLimitBytes,
    trustProxy: trustedHops(options.trustProxyHops),
    genReqId: requestIdGenerator(options.trustIncomingRequestId),
    routerOptions: { maxParamLength: 200 },
    // Off: its answer while closing is a bare framework body; prepareGracefulShutdown answers instead.
    return503OnClosing: false,
    // Fastify answers a malformed URL (bad percent-encoding, an over-long parameter) itself, before any
    // hook or filter, with a body that quotes the path: answer in the common error shape instead.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      // No hook runs for these answers: they get their headers here.
      setSecurityHeaders(request, reply, options);
      void reply.header(REQUEST_ID_HEADER, request.id);
      sendError(reply as unknown as ErrorReply, error, String(request.id));
      unhookedAnswerSent(request, reply);
    },
    // The HTTP parser's own refusals (a request that timed out, oversized headers, garbage), answered
    // on the socket: in the common error shape and with the security headers, like every other answer.
    clientErrorHandler: answerClientError,
  });
  // Nest's own parsers are off: Fastify's JSON parser (which refuses __proto__ poisoning) is the default,
  // and form bodies are parsed only where a service asks for them.
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  recordServedRoutes(app.getHttpAdapter().getInstance());
  if (options.formBodyRoutes?.length) acceptFormBodiesOn(app, options.formBodyRoutes, options.bodyLimitBytes);
  refuseDeepJson(app);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await applyHttpHardening(app, options);
  const audit = app.get(AuditLog, { strict: false });
  limitConnectionsPerClient(app.getHttpServer(), {
    // Behind trusted proxies every socket is a proxy's: the limit belongs to the proxy.
    maxPerClient: options.trustProxyHops > 0 ? 0 : options.connectionLimits.maxConnectionsPerClient,
    ipv6PrefixLength: options.ipv6PrefixLength ?? 64,
    onRefused: (client) =>
      audit.record(AuditEvent.RateLimited, { client, reason: 'too many open connections' }),
  });
  if (options.tlsClientNames?.length) {
    refuseClientsNotNamed(app.getHttpServer() as HttpsServer, options.tlsClientNames, (peer) =>
      audit.record(AuditEvent.AccessDenied, {
        client: peer.address,
        reason: `client certificate for ${peer.names.join(', ') || 'no DNS name'}, not an allowed caller`,
      }),
    );
  }
  if (options.healthPort !== undefined) await listenForHealthProbes(app, options.healthPort);
  // Instead of Nest's enableShutdownHooks, which closes databases before in-flight requests are done.
  prepareGracefulShutdown(app, options.shutdown ?? DEFAULT_SHUTDOWN);
  return app;
}

/**
 * Form bodies on the declared routes only. A form is what a page on another site can post without a CORS
 * preflight, so a route that parses one can be called by a victim's browser; a JSON-only route cannot.
 * Fastify's body parsers belong to the whole instance, not to a route: the parser is registered once and
 * a hook refuses a form on every other route before its body is read.
 */
function acceptFormBodiesOn(app: NestFastifyApplication, routes: readonly string[], bodyLimit: number): void {
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit });
  const allowed = new Set(routes);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const type = String(request.headers['content-type'] ?? '')
        .split(';', 1)[0]!
        .trim()
        .toLowerCase();
      if (type !== 'application/x-www-form-urlencoded' || allowed.has(request.routeOptions.url ?? '')) return;
      sendError(reply as unknown as ErrorReply, new UnsupportedMediaTypeException(), String(request.id));
      return reply;
    });
}
