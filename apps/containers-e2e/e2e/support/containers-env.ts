/**
 * How the global setup tells the test files (other processes) about the stack it started: jest workers inherit
 * these variables.
 */
export const CONTAINERS_ENV = {
  /** http://127.0.0.1:<port>: the published gateway port. */
  gatewayUrl: 'RUNNERLY_CONTAINERS_GATEWAY_URL',
  /** The compose project name; its containers carry the label com.docker.compose.project=<name>. */
  project: 'RUNNERLY_CONTAINERS_PROJECT',
  /** Why there is no stack because the machine cannot run one (no engine, no compose): the suites skip. */
  unavailable: 'RUNNERLY_CONTAINERS_UNAVAILABLE',
  /** Why the stack did not come up although the machine can run one: the suites fail with this message. */
  failed: 'RUNNERLY_CONTAINERS_FAILED',
} as const;

/** The services of docker-compose.yml that keep running once the stack is up. */
export const LONG_RUNNING_SERVICES = ['postgres', 'redis', 'users', 'runs', 'gateway'] as const;
export type LongRunningService = (typeof LONG_RUNNING_SERVICES)[number];

/** The Node services, built from infra/docker/Dockerfile. */
export const NODE_SERVICES = ['users', 'runs', 'gateway'] as const;
