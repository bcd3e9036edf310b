import { Injectable, Logger } from '@nestjs/common';
import { AppException, ErrorCode, type ErrorReply, sendError } from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { forwardedRequestHeaders, returnedResponseHeaders } from './forwarded-headers';
import { type Upstream, Upstreams } from './upstreams';

const METHODS_WITH_BODY = new Set(['POST', 'PATCH']);

/**
 * Forwards one request to an internal service over the pooled keep-alive undici agent of
 * @fastify/reply-from (registered by registerUpstreamProxy), and answers in the common error shape when
 * the service cannot be reached (502) or is too slow (504): never a hang, never a stack trace.
 */
@Injectable()
export class UpstreamProxy {
  private readonly logger = new Logger('Proxy');

  constructor(private readonly upstreams: Upstreams) {}

  forward(request: FastifyRequest, reply: FastifyReply, upstream: Upstream, path: string): FastifyReply {
    return reply.from(this.upstreams.url(upstream, path), {
      // JSON re-encoded from the parsed body: what was checked to be JSON is what the service receives.
      body: METHODS_WITH_BODY.has(request.method) ? (request.body ?? {}) : null,
      rewriteRequestHeaders: forwardedRequestHeaders,
      rewriteHeaders: returnedResponseHeaders,
      // Never retry: a repeated POST could act twice, and retries would pile load onto a struggling service.
      retryDelay: () => null,
      onError: (failed, { error }) =>
        this.answerUnavailable(
          failed as unknown as ErrorReply & { request: { id: unknown } },
          upstream,
          error,
        ),
    });
  }

  private answerUnavailable(
    reply: ErrorReply & { request: { id: unknown } },
    upstream: Upstream,
    error: Error & { statusCode?: number },
  ): void {
    const timedOut = error.statusCode === 504;
    const requestId = String(reply.request.id);
    this.logger.warn(
      { upstream, error: error.message, requestId },
      timedOut ? 'Upstream timed out' : 'Upstream unavailable',
    );
    const exception = timedOut
      ? new AppException(ErrorCode.UpstreamTimeout, 'The service took too long to answer. Retry later.')
      : new AppException(ErrorCode.UpstreamUnavailable, 'The service is unavailable. Retry later.');
    sendError(reply, exception, requestId);
  }
}
