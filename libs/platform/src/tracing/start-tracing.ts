import { type RunningTracing } from './tracing-sdk';
import { tracingSettingsFrom } from './tracing-settings';

export interface StartTracingOptions {
  /** Continue a trace whose `traceparent` came with a request (every service but the public gateway). */
  trustIncomingTraceContext: boolean;
  /** Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

let running: RunningTracing | undefined;

/**
 * Starts OpenTelemetry tracing if a collector is configured (tracingSettingsFrom) and says whether it did.
 * A service's main calls it first and only then imports the service: the instrumentations patch http, pg
 * and ioredis as they are loaded. When tracing is off, the SDK's modules are never imported.
 */
export async function startTracing(service: string, options: StartTracingOptions): Promise<boolean> {
  const settings = tracingSettingsFrom(options.env ?? process.env, service);
  if (settings === undefined || running !== undefined) return running !== undefined;
  const { startTracingSdk } = await import('./tracing-sdk.js');
  running = startTracingSdk({ ...settings, trustIncomingTraceContext: options.trustIncomingTraceContext });
  return true;
}

/** The running SDK, if startTracing started one in this process. */
export function runningTracing(): RunningTracing | undefined {
  return running;
}

/**
 * A service's main: tracing first (startTracing), then the service, loaded by `loadService`. When either
 * fails, one JSON line on stderr and exit status 1, as a service that fails to start (runService) reports it.
 * Written here rather than imported from @runnerly/security: that import would load http, ioredis and the
 * rest before the instrumentations could patch them.
 */
export function startWithTracing(
  service: string,
  options: StartTracingOptions,
  loadService: () => Promise<unknown>,
): void {
  startTracing(service, options)
    .then(loadService)
    .catch((error: unknown) => {
      const line = {
        time: new Date().toISOString(),
        level: 'fatal',
        msg: 'The service failed to start',
        error: error instanceof Error ? error.message : String(error),
      };
      process.stderr.write(`${JSON.stringify(line)}\n`);
      process.exit(1);
    });
}
