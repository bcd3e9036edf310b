import { startWithTracing } from '@runnerly/platform/tracing';

// Tracing starts first, when a collector is configured: its instrumentations patch http, pg and ioredis as
// the service loads them, so the service is imported only once it has started.
startWithTracing('__name__', { trustIncomingTraceContext: true }, () => import('./serve.js'));
