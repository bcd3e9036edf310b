import replyFrom from '@fastify/reply-from';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { internalTlsConnectOptions } from '@runnerly/security';
import { type GatewayConfig } from '../gateway.config';

/**
 * How long the gateway keeps an idle upstream connection before closing it itself. A connection that the
 * service closes at its keep-alive timeout can meet a request the gateway sends at that very instant: the
 * request dies with a reset that may or may not have reached the service, so an unkeyed write cannot be
 * retried (502). Closing first on the client side has no such race. Services keep theirs at 10 s
 * (HTTP_KEEP_ALIVE_TIMEOUT_MS); a service announcing a shorter one is still left 2 s before its timeout.
 */
export const UPSTREAM_IDLE_CONNECTION_MS = 2_000;

/**
 * One undici agent for all upstreams: keep-alive connections pooled per service (a proxy without
 * keep-alive measured ten times slower), closed by the gateway after UPSTREAM_IDLE_CONNECTION_MS idle,
 * with connect, header and body timeouts so that a stuck service costs a client at most UPSTREAM_TIMEOUT_MS.
 */
export async function registerUpstreamProxy(
  app: NestFastifyApplication,
  config: GatewayConfig,
): Promise<void> {
  await app.register(replyFrom, {
    disableRequestLogging: true,
    undici: {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: UPSTREAM_IDLE_CONNECTION_MS,
      keepAliveMaxTimeout: UPSTREAM_IDLE_CONNECTION_MS,
      keepAliveTimeoutThreshold: 2_000,
      headersTimeout: config.UPSTREAM_TIMEOUT_MS,
      bodyTimeout: config.UPSTREAM_TIMEOUT_MS,
      // Over https:// upstreams: the stack's CA and this gateway's client certificate (mutual TLS), if configured.
      connect: { timeout: config.UPSTREAM_CONNECT_TIMEOUT_MS, ...internalTlsConnectOptions(config) },
    },
  });
}
