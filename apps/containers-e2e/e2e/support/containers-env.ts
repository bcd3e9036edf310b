import { SERVICE_NAMES } from '@runnerly/platform';
import { ComposeSuite } from '@runnerly/testing';

/** The stack of this project: started once per run by the global setup, shared by every file. */
export const CONTAINERS_SUITE = new ComposeSuite('containers');

/** The services of docker-compose.yml that keep running once the stack is up. */
export const LONG_RUNNING_SERVICES = ['postgres', 'redis', 'users', 'runs', 'gateway'] as const;
export type LongRunningService = (typeof LONG_RUNNING_SERVICES)[number];

/** The Node services, built from infra/docker/Dockerfile: the services of the manifest. */
export const NODE_SERVICES = SERVICE_NAMES;
