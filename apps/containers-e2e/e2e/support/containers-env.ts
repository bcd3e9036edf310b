import { SERVICE_NAMES, type ServiceName } from '@runnerly/platform';
import { ComposeSuite } from '@runnerly/testing';

/**
 * The stack of this project: started once per run by the global setup, shared by every file. With
 * docker-compose.https.yml, so that every hop the suites exercise is TLS, the published port's included.
 */
export const CONTAINERS_SUITE = new ComposeSuite('containers', { https: true });

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

/** Those given a folder of secrets: all but the mail catcher, which needs none. */
export type SecretHolder = Exclude<LongRunningService, 'mail'>;
export const SECRET_HOLDERS = LONG_RUNNING_SERVICES.filter(
  (service): service is SecretHolder => service !== 'mail',
);

/** The Node services, built from infra/docker/Dockerfile: the services of the manifest. */
export const NODE_SERVICES = SERVICE_NAMES;
