import { SERVICE_NAMES, type ServiceName } from '@runnerly/platform';
import { ComposeSuite } from '@runnerly/testing';

/** The stack of this project: started once per run by the global setup, shared by every file. */
export const CONTAINERS_SUITE = new ComposeSuite('containers');

/** The services of docker-compose.yml that keep running once the stack is up: the datastores, then ours. */
export type LongRunningService = 'postgres' | 'redis' | ServiceName;
export const LONG_RUNNING_SERVICES: readonly LongRunningService[] = ['postgres', 'redis', ...SERVICE_NAMES];

/** The Node services, built from infra/docker/Dockerfile: the services of the manifest. */
export const NODE_SERVICES = SERVICE_NAMES;
