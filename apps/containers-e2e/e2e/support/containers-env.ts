import { SERVICE_NAMES, type ServiceName } from '@runnerly/platform';
import { ComposeSuite } from '@runnerly/testing';

/**
 * The stack of this project: started once per run by the global setup, shared by every file. With
 * docker-compose.https.yml, so that every hop the suites exercise is TLS, the published port's included; with
 * the observability profile (Prometheus, observability.e2e-spec.ts); and with a second gateway replica
 * (compose/replicas.yml, shared-limits.e2e-spec.ts): one stack for all, as each stack costs minutes of CI.
 */
export const CONTAINERS_SUITE = new ComposeSuite('containers', {
  https: true,
  overrides: ['apps/containers-e2e/compose/replicas.yml'],
  profiles: ['observability'],
});

/**
 * The services of docker-compose.yml that keep running once the stack is up: the datastores, the mail catcher,
 * then ours.
 */
export type LongRunningService = 'postgres' | 'redis' | 'mail' | ServiceName;
export const LONG_RUNNING_SERVICES: readonly LongRunningService[] = [
  'postgres',
  'redis',
  'mail',
  ...SERVICE_NAMES,
];

/** The observability profile's Prometheus: hardened as the others, but holds no secret. */
export const PROMETHEUS = 'prometheus' as const;

/** Those given a folder of secrets: all but the mail catcher, which needs none. */
export type SecretHolder = Exclude<LongRunningService, 'mail'>;
export const SECRET_HOLDERS = LONG_RUNNING_SERVICES.filter(
  (service): service is SecretHolder => service !== 'mail',
);

/** The Node services, built from infra/docker/Dockerfile: the services of the manifest. */
export const NODE_SERVICES = SERVICE_NAMES;
