import { type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { applyHttpHardening, type HttpHardeningOptions } from './http-hardening';
import { requestIdGenerator } from './request-id';

export interface ServiceAppOptions extends HttpHardeningOptions {
  /** Larger bodies are refused with 413 before they are parsed. */
  bodyLimitBytes: number;
  /** Reverse proxies in front of the service; the client IP is read that many hops back in X-Forwarded-For. */
  trustProxyHops: number;
  /** Internal services accept the gateway's request id; the gateway makes its own. */
  trustIncomingRequestId: boolean;
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
export async function createServiceApp(rootModule: Type | DynamicModule, options: ServiceAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    trustProxy: trustedHops(options.trustProxyHops),
    genReqId: requestIdGenerator(options.trustIncomingRequestId),
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await applyHttpHardening(app, options);
  app.enableShutdownHooks();
  return app;
}
