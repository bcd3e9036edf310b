import { type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { ErrorCode } from '../errors/error-code';
import { writeRawError } from './raw-error-response';

/**
 * How long a client may take, and how many connections it may hold. Rate limits only see complete
 * requests: without these, a client that sends its headers or body a byte at a time (slowloris, slow
 * POST), or opens connections and says nothing, holds sockets and memory for free, for ever.
 */
export interface ConnectionLimits {
  /** The whole request, headers and body, must arrive within this; then 408 (slow uploads). */
  requestTimeoutMs: number;
  /** The request line and headers must arrive within this; then 408 (slowloris). Capped by requestTimeoutMs. */
  headersTimeoutMs: number;
  /** A keep-alive connection waiting for its next request is closed after this. */
  keepAliveTimeoutMs: number;
  /**
   * A connection with no traffic either way for this long is closed (a client that stops reading the
   * response). Must exceed the longest time a handler may legitimately take, e.g. an upstream timeout.
   */
  idleTimeoutMs: number;
  /**
   * Open connections per client address (an IPv6 client per network); more are refused with 429. 0: no
   * limit. Not applied behind trusted proxies, where every connection comes from a proxy: limit there.
   */
  maxConnectionsPerClient: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  maxConnectionsPerClient: 0,
};

/** The Fastify server options that enforce the timeouts. */
export function fastifyTimeoutsOf(limits: ConnectionLimits) {
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    // Node checks the request and header timeouts every `connectionsCheckingInterval` (30 s by default,
    // which would let a slow client hold a socket that much longer than configured).
    http: { headersTimeout, connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 2)) },
  };
}

/**
 * Refuses a client's connection beyond `maxPerClient` open ones, counted by socket address, and reports
 * each refusal (`onRefused`, e.g. an audit line). Behind a load balancer every connection comes from the
 * balancer: the limit belongs there, so services that trust proxy hops do not apply it.
 */
export function limitConnectionsPerClient(
  server: Server,
  options: { maxPerClient: number; ipv6PrefixLength: number; onRefused: (client: string) => void },
): void {
  if (options.maxPerClient <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const client = normalizeIp(socket.remoteAddress ?? 'unknown', options.ipv6PrefixLength);
    const count = (open.get(client) ?? 0) + 1;
    if (count > options.maxPerClient) {
      writeRawError(socket, ErrorCode.RateLimited, 'Too many open connections from this client.');
      options.onRefused(client);
      return;
    }
    open.set(client, count);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });
}

const parserLogger = new Logger('Connections');

/**
 * Fastify's `clientErrorHandler`: the HTTP parser's own refusals, which never reach a route, a hook or
 * the access log (a request that did not arrive in time, oversized headers, garbage). Each is answered
 * on the socket in the common error shape and logged, so a slowloris attempt is visible to operators.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ErrorCode.RequestTimeout
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? ErrorCode.HeadersTooLarge
        : ErrorCode.MalformedRequest;
  parserLogger.warn(
    { client: (socket as { remoteAddress?: string }).remoteAddress, code },
    'Refused a request before it reached the application',
  );
  writeRawError(socket, code, MESSAGES[code] ?? 'The request is malformed.');
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.RequestTimeout]: 'The request took too long to arrive.',
  [ErrorCode.HeadersTooLarge]: 'The request headers are too large.',
};
