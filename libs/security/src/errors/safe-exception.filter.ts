import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { AuditLog } from '../logging/audit-log.service';
import { AuditedException, RateLimitedException } from './app.exception';
import { type ErrorReply, sendError } from './error-response';

/**
 * The last stop of every failed request: answers with the stable error shape and logs what the client
 * must not see, and records the refusals that are security events (`AuditedException`) in the audit log.
 * Registered globally by `HttpSecurityModule`.
 */
@Catch()
export class SafeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly audit: AuditLog) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();

    if (exception instanceof AuditedException) {
      this.audit.record(exception.audit.event, exception.audit.details);
    }
    if (exception instanceof RateLimitedException) {
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    }
    const body = sendError(reply as unknown as ErrorReply, exception, String(request.id));
    if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, requestId: body.requestId },
        'Unhandled error while serving a request',
      );
    }
  }
}
