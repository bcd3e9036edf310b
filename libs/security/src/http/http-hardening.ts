import helmet from '@fastify/helmet';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { toErrorBody } from '../errors/error-response';
import { REQUEST_ID_HEADER } from './request-id';

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

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/**
 * HTTP-level protections for a Fastify-based Nest app (OWASP API8: security misconfiguration):
 * security headers (helmet, with a CSP that allows nothing: the API serves JSON, not pages), a strict
 * CORS allowlist, 405 for unexpected methods, `Cache-Control: no-store` unless a route chooses its own
 * caching (responses may hold personal data and must not sit in shared caches), and the request id on
 * every response.
 */
export async function applyHttpHardening(
  app: NestFastifyApplication,
  options: HttpHardeningOptions,
): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
  });

  if (options.corsOrigins.length > 0) {
    const allowed = new Set(options.corsOrigins);
    app.enableCors({
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: ['Retry-After', 'X-Request-Id'],
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
      const body = toErrorBody(
        new AppException(ErrorCode.MethodNotAllowed, 'Method not allowed.'),
        String(request.id),
      );
      return reply.status(405).header('allow', ALLOWED_METHODS.join(', ')).send(body);
    }
    if (AMBIGUOUS_PATH.test(request.url.split('?', 1)[0]!)) {
      return reply
        .status(404)
        .send(toErrorBody(new AppException(ErrorCode.NotFound, 'Resource not found.'), String(request.id)));
    }
  });
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    const path = request.url.split('?', 1)[0]!;
    const isDocs =
      options.docsPathPrefix !== undefined &&
      (path === options.docsPathPrefix || path.startsWith(`${options.docsPathPrefix}/`));
    void reply.header('content-security-policy', isDocs ? DOCS_CSP : API_CSP);
    return payload;
  });
}
