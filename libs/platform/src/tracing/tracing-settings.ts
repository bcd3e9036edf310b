/** What a service needs to know to decide whether it traces, read from the standard OpenTelemetry variables. */
export interface TracingSettings {
  /** `service.name` of every span: OTEL_SERVICE_NAME, or the service's own name. */
  serviceName: string;
  /** How long finished spans wait to be sent in one batch: OTEL_BSP_SCHEDULE_DELAY, in milliseconds. */
  exportDelayMs: number;
}

/** The specification's default for OTEL_BSP_SCHEDULE_DELAY; also what an invalid value falls back to. */
export const DEFAULT_EXPORT_DELAY_MS = 5_000;

/**
 * Tracing is on only where a collector is configured (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
 * OTEL_EXPORTER_OTLP_ENDPOINT), and OTEL_SDK_DISABLED=true turns it off again, as the specification says.
 * Off means undefined here: the SDK is then never loaded, so no request pays for spans nobody collects.
 */
export function tracingSettingsFrom(
  env: Readonly<Record<string, string | undefined>>,
  service: string,
): TracingSettings | undefined {
  const endpoint =
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (endpoint === undefined || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  return {
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? service,
    exportDelayMs: delayFrom(env.OTEL_BSP_SCHEDULE_DELAY),
  };
}

function delayFrom(value: string | undefined): number {
  const delay = Number(nonEmpty(value) ?? DEFAULT_EXPORT_DELAY_MS);
  return Number.isInteger(delay) && delay >= 0 ? delay : DEFAULT_EXPORT_DELAY_MS;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value?.trim() ? value.trim() : undefined;
}
