import { type AuditDetails, type AuditObserver } from '@runnerly/security';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { securityEventReasonOf } from './metric-labels';

/** Request durations, in seconds: from a cache hit to a slow password hash or upstream timeout. */
export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const HTTP_LABELS = ['method', 'route', 'status_code'] as const;

/**
 * One service's metrics, in a registry of its own (never prom-client's global one: tests run several
 * services in one process), every series labelled with `service`. Label values are bounded: routes are
 * templates, reasons and codes come from closed lists (see metric-labels).
 */
export class ServiceMetrics implements AuditObserver {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'runnerly_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames: HTTP_LABELS,
    registers: [this.registry],
  });
  private readonly durations = new Histogram({
    name: 'runnerly_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code.',
    labelNames: HTTP_LABELS,
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [this.registry],
  });
  private readonly securityEvents = new Counter({
    name: 'runnerly_security_events_total',
    help: 'Audit events (login failures, refused tokens, denials, rate limits, ...), by event and bounded reason.',
    labelNames: ['event', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly errorResponses = new Counter({
    name: 'runnerly_error_responses_total',
    help: 'Error answers in the common error shape, by route template and error code.',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  /** One answered request; `route` is a label already (routeLabelOf). */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode) };
    this.requests.inc(labels);
    this.durations.observe(labels, seconds);
  }

  /** One error answer in the common shape, by its `code` (an ErrorCode). */
  observeErrorResponse(route: string, code: string): void {
    this.errorResponses.inc({ route, code });
  }

  /** AuditLog calls it for every event it records (it is the AUDIT_OBSERVER). */
  observe(event: string, details: Readonly<AuditDetails>): void {
    this.securityEvents.inc({ event, reason: securityEventReasonOf(event, details.reason) });
  }

  /** The text exposition format, and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
