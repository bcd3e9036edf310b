import { type OnApplicationShutdown } from '@nestjs/common';
import { type RunningTracing } from './tracing-sdk';

/**
 * Sends the spans still batched when the service stops: graceful shutdown closes the application (and so
 * runs this) before the process exits, and the last requests' spans would otherwise be lost with it.
 */
export class TracingShutdown implements OnApplicationShutdown {
  constructor(private readonly tracing: RunningTracing) {}

  onApplicationShutdown(): Promise<void> {
    return this.tracing.shutdown();
  }
}
