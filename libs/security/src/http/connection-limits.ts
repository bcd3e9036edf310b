import { type Server } from 'node:http';
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
  /** Open connections per client address (an IPv6 client per network); more are refused with 429. 0: no limit. */
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
 * Refuses a client's connection beyond `maxConnectionsPerClient` open ones, counted by socket address.
 * Behind a load balancer every connection comes from the balancer: set the limit there instead (0 here).
 */
export function limitConnectionsPerClient(
  server: Server,
  maxPerClient: number,
  ipv6PrefixLength: number,
): void {
  if (maxPerClient <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const client = normalizeIp(socket.remoteAddress ?? 'unknown', ipv6PrefixLength);
    const count = (open.get(client) ?? 0) + 1;
    if (count > maxPerClient) {
      writeRawError(socket, ErrorCode.RateLimited, 'Too many open connections from this client.');
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
