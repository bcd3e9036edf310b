/** What a service needs to know to decide whether it traces, read from the standard OpenTelemetry variables. */
export interface TracingSettings {
  /** `service.name` of every span: OTEL_SERVICE_NAME, or the service's own name. */
  serviceName: string;
  /** How long finished spans wait to be sent in one batch: OTEL_BSP_SCHEDULE_DELAY, in milliseconds. */
  exportDelayMs: number;
  /**
   * The share of new traces recorded, 0 to 1 (OTEL_TRACES_SAMPLER `traceidratio` or `parentbased_traceidratio`
   * with OTEL_TRACES_SAMPLER_ARG); 1 otherwise. A request that arrives with a trace context follows the
   * decision of its caller, so a trace is recorded whole or not at all.
   */
  sampleRatio: number;
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
    sampleRatio: sampleRatioFrom(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG),
  };
}

const RATIO_SAMPLERS: ReadonlySet<string> = new Set(['traceidratio', 'parentbased_traceidratio']);

/** Any other sampler name, and a ratio that is not a number from 0 to 1, record every trace. */
function sampleRatioFrom(sampler: string | undefined, argument: string | undefined): number {
  if (!RATIO_SAMPLERS.has(sampler?.trim().toLowerCase() ?? '')) return 1;
  const ratio = Number(nonEmpty(argument) ?? 1);
  return Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
}

function delayFrom(value: string | undefined): number {
  const delay = Number(nonEmpty(value) ?? DEFAULT_EXPORT_DELAY_MS);
  return Number.isInteger(delay) && delay >= 0 ? delay : DEFAULT_EXPORT_DELAY_MS;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value?.trim() ? value.trim() : undefined;
}
