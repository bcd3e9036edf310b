import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AUDIT_OBSERVER } from '@runnerly/security';
import { type FastifyInstance } from 'fastify';
import { observeHttpRequests } from './http-metrics';
import { MetricsListener } from './metrics-listener';
import { ServiceMetrics } from './service-metrics';

export interface MetricsOptions {
  /** The `service` label of every series. */
  service: string;
  /** The metrics listener's port (METRICS_PORT; without it, ServiceFoundationModule leaves this module out). */
  port: number;
  /** Where it binds. */
  host: string;
}

const METRICS_OPTIONS = Symbol('runnerly:metrics-options');

/** Starts the metrics listener with the application and closes it on shutdown, so none outlives it. */
@Injectable()
class MetricsListenerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly listener: MetricsListener,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listener.listen(this.options.port, this.options.host);
  }

  onApplicationShutdown(): Promise<void> {
    return this.listener.close();
  }
}

/**
 * Prometheus metrics of a service: its HTTP requests by route template, its error answers by code, and
 * every audit event (AuditLog tells the AUDIT_OBSERVER provided here), served on a listener of their own.
 * Global, so that AuditLog, in LoggingModule, receives the observer.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions): DynamicModule {
    return {
      module: MetricsModule,
      providers: [
        { provide: METRICS_OPTIONS, useValue: options },
        {
          provide: ServiceMetrics,
          inject: [HttpAdapterHost],
          // The hook is added while the application is created, before Nest registers any route.
          useFactory: (host: HttpAdapterHost) => {
            const metrics = new ServiceMetrics(options.service);
            const fastify = host.httpAdapter?.getInstance<FastifyInstance>();
            if (fastify) observeHttpRequests(fastify, metrics);
            return metrics;
          },
        },
        { provide: AUDIT_OBSERVER, useExisting: ServiceMetrics },
        {
          provide: MetricsListener,
          inject: [ServiceMetrics],
          useFactory: (m: ServiceMetrics) => new MetricsListener(m),
        },
        MetricsListenerLifecycle,
      ],
      exports: [ServiceMetrics, MetricsListener, AUDIT_OBSERVER],
    };
  }
}
