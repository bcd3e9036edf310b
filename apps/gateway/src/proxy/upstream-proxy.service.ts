import { Injectable, Logger } from '@nestjs/common';
import { type UpstreamName } from '@runnerly/platform';
import {
  AppException,
  ErrorCode,
  type ErrorReply,
  INSTANCE_DRAINING_HEADER,
  sendError,
  toErrorBody,
} from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { GatewayConfig } from '../gateway.config';
import { forwardedRequestHeaders, returnedResponseHeaders } from './forwarded-headers';
import { connectFailed, mayRetry, refusedWhileStopping } from './retry-rule';
import { Upstreams } from './upstreams';

const METHODS_WITH_BODY = new Set(['POST', 'PATCH']);

type ProxiedReply = ErrorReply & { request: { id: unknown } };

/** What a route may change in a forwarded exchange; by default the gateway routes and does not rewrite. */
export interface ForwardOptions {
  /**
   * The JSON body to send instead of the client's (a browser's refresh token comes from its cookie). The
   * client's query string is then not forwarded either: the gateway composed the request.
   */
  body?: Record<string, unknown>;
  /** The method to call the service with, when not the client's (a browser's GET becomes a POST with a body). */
  method?: 'POST';
  /**
   * Turns the service's JSON answer into the client's (the browser session routes move the refresh token
   * from the body into a cookie). May set headers on the reply; returns the body to send, or undefined for
   * none. It also sees the gateway's own error answer when the service cannot be reached (502) or is too
   * slow (504), so that a route answering a browser's navigation redirects then too, instead of showing JSON.
   */
  rewriteAnswer?: (statusCode: number, body: unknown, reply: FastifyReply) => unknown;
}

/** One request's way through the instances of its service. */
interface Attempt {
  upstream: UpstreamName;
  path: string;
  options: ForwardOptions;
  instances: string[];
  index: number;
  startedAt: number;
}

/** An answer the gateway rewrites is read whole: the services' JSON answers are far smaller than this. */
const MAX_REWRITTEN_ANSWER_BYTES = 64 * 1024;

/**
 * Forwards one request to an instance of an internal service over the pooled keep-alive undici agent of
 * @fastify/reply-from (registered by registerUpstreamProxy). When it fails without an answer and the
 * retry rule allows it, the next instance gets it: a restarting replica then costs clients nothing. An
 * instance whose answer says it is draining (shutting down) is tried last from then on, like one that
 * refused a connection, so that no new connection waits in its listen queue when the listener closes.
 * Otherwise it answers in the common error shape: 502 when the service cannot be reached, 504 when it
 * is too slow; never a hang, never a stack trace.
 */
@Injectable()
export class UpstreamProxy {
  private readonly logger = new Logger('Proxy');

  constructor(
    private readonly upstreams: Upstreams,
    private readonly config: GatewayConfig,
  ) {}

  forward(
    request: FastifyRequest,
    reply: FastifyReply,
    upstream: UpstreamName,
    path: string,
    options: ForwardOptions = {},
  ): FastifyReply {
    const instances = this.upstreams.pool(upstream).attemptOrder();
    return this.send(request, reply, { upstream, path, options, instances, index: 0, startedAt: Date.now() });
  }

  private send(request: FastifyRequest, reply: FastifyReply, attempt: Attempt): FastifyReply {
    const instance = attempt.instances[attempt.index]!;
    return reply.from(this.upstreams.url(instance, attempt.path), {
      // JSON re-encoded from the parsed body: what was checked to be JSON is what the service receives.
      body: attempt.options.body ?? (METHODS_WITH_BODY.has(request.method) ? (request.body ?? {}) : null),
      ...(attempt.options.method === undefined ? {} : { method: attempt.options.method }),
      ...(attempt.options.body === undefined ? {} : { queryString: () => '' }),
      rewriteRequestHeaders: forwardedRequestHeaders,
      rewriteHeaders: returnedResponseHeaders,
      // reply-from's own retries repeat the same instance, and any answer is final but one: the 503 of an
      // instance that was stopping, which never ran the request.
      retryDelay: () => null,
      onResponse: (_request, proxied, response) => {
        // undici's answer: its status, its raw headers (before the allowlist) and its body stream; the
        // type reply-from declares for it is Node's ServerResponse, which has no `headers`.
        const { headers } = response as unknown as { headers: Record<string, unknown> };
        if (headers[INSTANCE_DRAINING_HEADER] === '1')
          this.upstreams.pool(attempt.upstream).markDown(instance);
        if (refusedWhileStopping(response.statusCode, headers) && this.mayTryNext(attempt)) {
          response.stream.resume();
          this.logger.warn(
            { upstream: attempt.upstream, requestId: String(request.id) },
            'Upstream instance is stopping; retrying on another',
          );
          // The next attempt sets its own status and headers over this one's.
          for (const name of Object.keys(proxied.getHeaders())) proxied.removeHeader(name);
          return void this.send(request, reply, { ...attempt, index: attempt.index + 1 });
        }
        const { rewriteAnswer } = attempt.options;
        if (rewriteAnswer === undefined) return void proxied.send(response.stream);
        this.rewritten(
          response.stream,
          response.statusCode,
          rewriteAnswer,
          proxied as unknown as FastifyReply,
        ).catch((error: Error) => this.answerUnavailable(proxied as unknown as ProxiedReply, attempt, error));
      },
      onError: (failed, { error }) => {
        const { cause } = error as Error & { cause?: unknown };
        if (connectFailed(cause)) this.upstreams.pool(attempt.upstream).markDown(instance);
        if (
          mayRetry({ method: request.method, headers: request.headers, cause }) &&
          this.mayTryNext(attempt)
        ) {
          this.logger.warn(
            { upstream: attempt.upstream, error: error.message, requestId: String(request.id) },
            'Upstream instance failed; retrying on another',
          );
          return void this.send(request, reply, { ...attempt, index: attempt.index + 1 });
        }
        this.answerUnavailable(failed as unknown as ProxiedReply, attempt, error);
      },
    });
  }

  /** Reads a service's JSON answer, rewrites it, and sends the result; it fails on an unreadable answer. */
  private async rewritten(
    stream: AsyncIterable<Buffer>,
    statusCode: number,
    rewriteAnswer: NonNullable<ForwardOptions['rewriteAnswer']>,
    reply: FastifyReply,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += chunk.length;
      if (size > MAX_REWRITTEN_ANSWER_BYTES) throw new Error('answer too large to rewrite');
      chunks.push(chunk);
    }
    const body: unknown = size === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const answer = rewriteAnswer(statusCode, body, reply);
    // The length was the service's body's; Fastify sets the new one.
    void reply.removeHeader('content-length');
    void reply.send(answer);
  }

  /** At most once per other instance, and never past the time one attempt may take. */
  private mayTryNext(attempt: Attempt): boolean {
    return (
      attempt.index + 1 < attempt.instances.length &&
      Date.now() - attempt.startedAt < this.config.UPSTREAM_TIMEOUT_MS
    );
  }

  private answerUnavailable(
    reply: ProxiedReply,
    { upstream, options }: Attempt,
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
    if (options.rewriteAnswer === undefined) return void sendError(reply, exception, requestId);
    const body = toErrorBody(exception, requestId);
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8');
    void reply.send(options.rewriteAnswer(body.statusCode, body, reply as unknown as FastifyReply));
  }
}
