/** Where one stack's services listen and what they share. */
export interface StackTopology {
  host: string;
  ports: { gateway: number; users: number; runs: number };
  databases: { users: string; runs: string };
  /** Shared rate-limit counters; unset: in memory. */
  redisUrl?: string;
  nodeEnv: 'development' | 'test' | 'production';
  /** Extra variables per service (a test's small rate limits, a signing key, ...). */
  extra?: Partial<Record<StackService, Record<string, string>>>;
}

export type StackService = 'users' | 'runs' | 'gateway';

/** Start order: the gateway needs both services ready, runs needs users' JWKS only when verifying. */
export const STACK_SERVICES: readonly StackService[] = ['users', 'runs', 'gateway'];

/**
 * The environment of each service of one stack, in one place: how services find each other, and which
 * proxies they trust. Internal services trust exactly one hop (the gateway, which is the only way in);
 * the gateway, facing clients directly, trusts none.
 */
export function stackEnvironment(topology: StackTopology): Record<StackService, Record<string, string>> {
  const url = (port: number) => `http://${topology.host}:${port}`;
  const common = {
    NODE_ENV: topology.nodeEnv,
    HOST: topology.host,
    LOG_FORMAT: 'json',
    // Nothing balances a local stack: no one needs time to notice a stopping service.
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    ...(topology.redisUrl ? { REDIS_URL: topology.redisUrl } : {}),
  };
  const jwksUrl = `${url(topology.ports.users)}/.well-known/jwks.json`;
  return {
    users: {
      ...common,
      PORT: String(topology.ports.users),
      DATABASE_URL: topology.databases.users,
      RUNS_URL: url(topology.ports.runs),
      TRUST_PROXY_HOPS: '1',
      ...topology.extra?.users,
    },
    runs: {
      ...common,
      PORT: String(topology.ports.runs),
      DATABASE_URL: topology.databases.runs,
      JWKS_URL: jwksUrl,
      TRUST_PROXY_HOPS: '1',
      ...topology.extra?.runs,
    },
    gateway: {
      ...common,
      PORT: String(topology.ports.gateway),
      USERS_URL: url(topology.ports.users),
      RUNS_URL: url(topology.ports.runs),
      JWKS_URL: jwksUrl,
      TRUST_PROXY_HOPS: '0',
      ...topology.extra?.gateway,
    },
  };
}
