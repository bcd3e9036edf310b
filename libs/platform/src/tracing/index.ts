// A separate entry point (@runnerly/platform/tracing): a service's main imports it before anything else,
// so it must not load Nest or any module the instrumentations patch.
export { runningTracing, startTracing, type StartTracingOptions, startWithTracing } from './start-tracing';
export { type RunningTracing } from './tracing-sdk';
export { tracingSettingsFrom, type TracingSettings } from './tracing-settings';
