import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Logger, Optional } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { AuditLog } from '../logging/audit-log.service';
import { AuditedException, RetryLaterException, ServiceUnavailableException } from './app.exception';
import { DEPENDENCY_OUTAGE, type DependencyOutage } from './dependency-outage';
import { type ErrorReply, sendError } from './error-response';

/**
 * The last stop of every failed request: answers with the stable error shape and logs what the client
 * must not see, and records the refusals that are security events (`AuditedException`) in the audit log.
 * An error that the provided `DEPENDENCY_OUTAGE` classifier recognises (the database is unreachable)
 * becomes a 503 with `Retry-After`, so clients back off and retry instead of seeing a bare 500.
 * Registered globally by `HttpSecurityModule`.
 */
@Catch()
export class SafeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly audit: AuditLog,
    @Optional() @Inject(DEPENDENCY_OUTAGE) private readonly isOutage?: DependencyOutage,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();

    if (exception instanceof AuditedException) {
      this.audit.record(exception.audit.event, exception.audit.details);
    }
    const answered = this.isOutage?.(exception) ? new ServiceUnavailableException() : exception;
    if (answered instanceof RetryLaterException) {
      reply.header('retry-after', String(answered.retryAfterSeconds));
    }
    const body = sendError(reply as unknown as ErrorReply, answered, String(request.id));
    if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, requestId: body.requestId },
        answered === exception
          ? 'Unhandled error while serving a request'
          : 'A dependency is unavailable: answered 503',
      );
    }
  }
}
