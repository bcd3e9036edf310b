import { DEFAULT_EXPORT_DELAY_MS, tracingSettingsFrom } from './tracing-settings';

describe('tracingSettingsFrom: whether a service traces', () => {
  it.each([
    ['nothing is configured', {}],
    ['the endpoint is empty', { OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }],
    ['only the service name is set', { OTEL_SERVICE_NAME: 'runs' }],
    [
      'the SDK is disabled',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' },
    ],
  ])('is off when %s', (_case, env) => {
    expect(tracingSettingsFrom(env, 'runs')).toBeUndefined();
  });

  it.each([
    ['the OTLP endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }],
    ['the traces endpoint', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }],
  ])('is on when %s is set, named after the service', (_case, env) => {
    expect(tracingSettingsFrom(env, 'runs')).toEqual({
      serviceName: 'runs',
      exportDelayMs: DEFAULT_EXPORT_DELAY_MS,
      sampleRatio: 1,
    });
  });

  it('takes OTEL_SERVICE_NAME and OTEL_BSP_SCHEDULE_DELAY when they are set', () => {
    expect(
      tracingSettingsFrom(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_SERVICE_NAME: 'runs-eu',
          OTEL_BSP_SCHEDULE_DELAY: '250',
        },
        'runs',
      ),
    ).toMatchObject({ serviceName: 'runs-eu', exportDelayMs: 250 });
  });

  it.each(['-1', '1.5', 'soon'])('falls back to the default export delay for %j', (delay) => {
    expect(
      tracingSettingsFrom(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_BSP_SCHEDULE_DELAY: delay },
        'runs',
      )?.exportDelayMs,
    ).toBe(DEFAULT_EXPORT_DELAY_MS);
  });
});

describe('tracingSettingsFrom: the share of traces recorded', () => {
  const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

  it.each([
    ['parentbased_traceidratio', '0.1', 0.1],
    ['traceidratio', '0', 0],
    ['parentbased_always_on', '0.1', 1],
    [undefined, '0.1', 1],
    ['parentbased_traceidratio', '1.5', 1],
    ['parentbased_traceidratio', 'half', 1],
  ])('OTEL_TRACES_SAMPLER=%s with OTEL_TRACES_SAMPLER_ARG=%s records %d', (sampler, argument, ratio) => {
    const env = { ...on, OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: argument };
    expect(tracingSettingsFrom(env, 'runs')?.sampleRatio).toBe(ratio);
  });
});
