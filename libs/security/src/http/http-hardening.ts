import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { type ErrorReply, sendError } from '../errors/error-response';
import { REQUEST_ID_HEADER } from './request-id';
import { API_CSP, DOCS_CSP, SECURITY_HEADERS } from './security-headers';

export interface HttpHardeningOptions {
  /** Browser origins allowed to call the API (exact match). Empty: no cross-origin access at all. */
  corsOrigins: readonly string[];
  /** The path of pages (an API explorer) that may load their own scripts and styles, e.g. `/docs`. */
  docsPathPrefix?: string;
}

/**
 * Paths no route of ours uses, but that a proxy or framework may normalise differently than the router
 * does (encoded slashes, backslashes and dots, dot segments, empty segments): the classic way past a
 * path-based allowlist into internal routes. They get 404 before routing.
 */
const AMBIGUOUS_PATH = /%2e|%2f|%5c|\\|\/\.{1,2}(\/|$)|\/\//i;

/** The methods the API uses. Anything else (TRACE, PUT, PROPFIND, ...) gets 405 before routing. */
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * HTTP-level protections for a Fastify-based Nest app (OWASP API8: security misconfiguration):
 * the security headers on every answer (see SECURITY_HEADERS, with a CSP that allows nothing: the API
 * serves JSON, not pages), a strict CORS allowlist, 405 for unexpected methods, `Cache-Control:
 * no-store` unless a route chooses its own caching (responses may hold personal data and must not sit
 * in shared caches), and the request id on every response. The headers are a fixed table rather than a
 * plugin so that the answers written straight to a socket (see writeRawError) carry exactly the same.
 */
export async function applyHttpHardening(
  app: NestFastifyApplication,
  options: HttpHardeningOptions,
): Promise<void> {
  if (options.corsOrigins.length > 0) {
    const allowed = new Set(options.corsOrigins);
    app.enableCors({
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'Idempotency-Key'],
      exposedHeaders: ['Retry-After', 'X-Request-Id', 'Idempotency-Replayed'],
      credentials: false,
      maxAge: 600,
    });
  }

  const fastify = app.getHttpAdapter().getInstance();
  // A JSON API: Fastify's built-in text/plain parser would hand handlers a string body. text/plain (like
  // form encoding, which createServiceApp enables only on request) is also a type a cross-site page may
  // send without a CORS preflight. Such bodies get 415.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    if (!(ALLOWED_METHODS as readonly string[]).includes(request.method)) {
      void reply.header('allow', ALLOWED_METHODS.join(', '));
      const refusal = new AppException(ErrorCode.MethodNotAllowed, 'Method not allowed.');
      sendError(reply as unknown as ErrorReply, refusal, String(request.id));
      return reply;
    }
    if (AMBIGUOUS_PATH.test(request.url.split('?', 1)[0]!)) {
      const refusal = new AppException(ErrorCode.NotFound, 'Resource not found.');
      sendError(reply as unknown as ErrorReply, refusal, String(request.id));
      return reply;
    }
    return undefined;
  });
  // onSend runs for every answer sent through a route or a hook; createServiceApp's frameworkErrors
  // handler covers the answers Fastify gives before routing.
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    setSecurityHeaders(request, reply, options);
    return payload;
  });
}

/**
 * The security headers, the CSP for the path, and `no-store` unless the route chose its own caching. A route
 * that serves a page sets that page's own CSP (pageContentSecurityPolicy, with its nonce), which is kept.
 */
export function setSecurityHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  options: Pick<HttpHardeningOptions, 'docsPathPrefix'>,
): void {
  const path = request.url.split('?', 1)[0]!;
  const isDocs =
    options.docsPathPrefix !== undefined &&
    (path === options.docsPathPrefix || path.startsWith(`${options.docsPathPrefix}/`));
  void reply.headers(SECURITY_HEADERS);
  if (!reply.hasHeader('content-security-policy'))
    void reply.header('content-security-policy', isDocs ? DOCS_CSP : API_CSP);
  if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
}
