import { type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { toErrorBody } from '../errors/error-response';
import { applyHttpHardening, type HttpHardeningOptions } from './http-hardening';
import { refuseDeepJson } from './json-depth';
import { REQUEST_ID_HEADER, requestIdGenerator } from './request-id';

export interface ServiceAppOptions extends HttpHardeningOptions {
  /** Larger bodies are refused with 413 before they are parsed. */
  bodyLimitBytes: number;
  /** Reverse proxies in front of the service; the client IP is read that many hops back in X-Forwarded-For. */
  trustProxyHops: number;
  /** Internal services accept the gateway's request id; the gateway makes its own. */
  trustIncomingRequestId: boolean;
  /** Also parse application/x-www-form-urlencoded bodies (OAuth 2.0 token requests use them). Default: JSON only. */
  acceptFormBodies?: boolean;
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
    bodyLimit: options.bodyLimitBytes,
    trustProxy: trustedHops(options.trustProxyHops),
    genReqId: requestIdGenerator(options.trustIncomingRequestId),
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    // Fastify answers a malformed URL (bad percent-encoding, an over-long parameter) itself, before any
    // hook or filter, with a body that quotes the path: answer in the common error shape instead.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      void reply
        .header(REQUEST_ID_HEADER, request.id)
        .status(error.statusCode ?? 400)
        .send(toErrorBody(error, String(request.id)));
    },
  });
  // Nest's own parsers are off: Fastify's JSON parser (which refuses __proto__ poisoning) is the default,
  // and form bodies are parsed only where a service asks for them.
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  if (options.acceptFormBodies)
    app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: options.bodyLimitBytes });
  refuseDeepJson(app);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await applyHttpHardening(app, options);
  app.enableShutdownHooks();
  return app;
}
