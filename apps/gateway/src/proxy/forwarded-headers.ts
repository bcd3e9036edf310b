import { type IncomingHttpHeaders } from 'node:http';
import { REQUEST_ID_HEADER } from '@runnerly/security';

/**
 * Only these client headers reach a service. Everything else is dropped, so a client cannot inject
 * headers that internal services might trust (X-Forwarded-For, X-Request-Id, X-User-Id, ...): the
 * gateway sets those itself.
 */
const CLIENT_HEADERS_FORWARDED: readonly string[] = [
  'authorization',
  'content-type',
  'content-length',
  'accept',
  'user-agent',
  // A client's promise that a retried write is the same write (services keep its first answer).
  'idempotency-key',
];

/** Only these service headers reach the client; the gateway adds its own security headers. */
const SERVICE_HEADERS_RETURNED: readonly string[] = [
  'content-type',
  'content-length',
  'cache-control',
  'retry-after',
  'www-authenticate',
  'idempotency-replayed',
];

/** What the proxy needs of the incoming request (reply-from's request type is wider than Fastify's). */
interface ClientRequest {
  ip: string;
  id: unknown;
}

export function forwardedRequestHeaders(
  request: ClientRequest,
  headers: IncomingHttpHeaders,
): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = { host: headers.host };
  for (const name of CLIENT_HEADERS_FORWARDED) {
    if (headers[name] !== undefined) forwarded[name] = headers[name];
  }
  // One hop, set by us: services trust exactly one proxy (the gateway) and read the client IP here.
  forwarded['x-forwarded-for'] = request.ip;
  forwarded[REQUEST_ID_HEADER] = String(request.id);
  return forwarded;
}

export function returnedResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const returned: IncomingHttpHeaders = {};
  for (const name of SERVICE_HEADERS_RETURNED) {
    if (headers[name] !== undefined) returned[name] = headers[name];
  }
  return returned;
}
