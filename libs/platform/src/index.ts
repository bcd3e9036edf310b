export {
  calleesOf,
  DATABASE_SERVICES,
  JWKS_PATH,
  localServiceUrl,
  type ServiceDefinition,
  type ServiceName,
  serviceNamed,
  SERVICE_NAMES,
  SERVICES,
  serviceUrlVariable,
  TOKEN_ISSUER,
  type UpstreamName,
  UPSTREAMS,
} from './service-manifest';
export {
  ServiceFoundationModule,
  type ServiceFoundationOptions,
  type ServiceOverrides,
} from './service-foundation.module';
export { jwksAuthentication, ResourceServiceConfig } from './resource-service.config';
export { exposeOpenApiDocument, OPENAPI_DOCUMENT_PATH } from './http/openapi-document';
export { PeriodicTask } from './lifecycle/periodic-task';
export { DEFAULT_READINESS_CACHE_MS, HealthModule } from './health/health.module';
export { type ReadinessCheck } from './health/readiness-check';
export { MetricsListener } from './metrics/metrics-listener';
export { MetricsModule, type MetricsOptions } from './metrics/metrics.module';
export { ServiceMetrics } from './metrics/service-metrics';
