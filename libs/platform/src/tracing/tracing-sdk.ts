import { type IncomingMessage } from 'node:http';
import FastifyOtelInstrumentation from '@fastify/otel';
import {
  context,
  type Context,
  isSpanContextValid,
  propagation,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import { ScrubbingSpanProcessor } from './span-scrubbing';
import { type TracingSettings } from './tracing-settings';

/** What a started SDK gives the rest of the service. */
export interface RunningTracing {
  /** `traceId` and `spanId` of the span active where a log line is written; nothing outside a span. */
  logFields(): Record<string, string>;
  /** Ends the SDK: the spans still batched are sent first. */
  shutdown(): Promise<void>;
}

export interface TracingSdkOptions extends TracingSettings {
  /** Continue a trace whose `traceparent` came with a request: true behind the gateway, false at the edge. */
  trustIncomingTraceContext: boolean;
}

/** Probes and scrapes run every few seconds: a trace for each would bury the requests. */
const HEALTH_PATH = '/health/';
const METRICS_PATH = '/metrics';

function isProbeOrScrape(url: string | undefined): boolean {
  return url !== undefined && (url.startsWith(HEALTH_PATH) || url === METRICS_PATH);
}

/**
 * The OpenTelemetry SDK of one service, loaded by startTracing only when tracing is configured: W3C trace
 * context, server spans for incoming HTTP (node:http, with Fastify's routes), client spans for undici (the
 * gateway's proxy and every service's fetch), PostgreSQL queries and Redis commands, batched to the OTLP/HTTP
 * endpoint the standard OTEL_EXPORTER_OTLP_* variables name. It must start before those modules are loaded.
 */
export function startTracingSdk(options: TracingSdkOptions): RunningTracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const w3c = new W3CTraceContextPropagator();
  propagation.setGlobalPropagator(options.trustIncomingTraceContext ? w3c : new InjectOnlyPropagator(w3c));
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }).merge(
      detectResources({ detectors: [envDetector] }),
    ),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    // The scrubber sees every span before the exporting processor does.
    spanProcessors: [
      new ScrubbingSpanProcessor(),
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        scheduledDelayMillis: options.exportDelayMs,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => isProbeOrScrape(request.url),
        // Outgoing calls go through undici; a node:http call without a request to belong to is noise.
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({
        ignoreRequestHook: (request) => isProbeOrScrape(request.path),
        requireParentforSpans: true,
      }),
      // Fastify's route template (`/api/runs/:id`) on the request. No span per lifecycle hook nor for the
      // handler: Nest runs its guards, pipes and controller all inside Fastify's handler, so they would
      // repeat the request span at twice the cost.
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        instrumentHandler: false,
        ignorePaths: ({ url }) => isProbeOrScrape(url),
        // Its `url.path` is the raw URL, query string included.
        requestHook: (span, request) => span.setAttribute(ATTR_URL_PATH, request.url.split('?', 1)[0]!),
      }),
      // The statement as prepared ($1, $2), never the values bound to it (enhancedDatabaseReporting is off);
      // taking a pooled connection is no span of its own (one per request, for a wait near zero unless the
      // pool is exhausted, which the database readiness check and the pool's own timeout report).
      new PgInstrumentation({
        requireParentSpan: true,
        enhancedDatabaseReporting: false,
        ignoreConnectSpans: true,
      }),
      // The command's name only: its arguments are keys and values (rate-limit keys name clients).
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
    ],
  });
  return {
    logFields: (): Record<string, string> => {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return spanContext && isSpanContextValid(spanContext)
        ? { traceId: spanContext.traceId, spanId: spanContext.spanId }
        : {};
    },
    shutdown: () => provider.shutdown(),
  };
}

/**
 * At the public edge, a client's `traceparent` is not taken: it could join our spans to a trace of its
 * choosing or force sampling decisions. Each request starts its own trace there, which is then propagated.
 */
class InjectOnlyPropagator implements TextMapPropagator {
  constructor(private readonly propagator: TextMapPropagator) {}

  inject(...args: Parameters<TextMapPropagator['inject']>): void {
    this.propagator.inject(...args);
  }

  extract(active: Context): Context {
    return active;
  }

  fields(): string[] {
    return this.propagator.fields();
  }
}
