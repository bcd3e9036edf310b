import { resolve } from 'node:path';
import {
  calleesOf,
  JWKS_PATH,
  type ServiceName,
  SERVICES,
  serviceUrlVariable,
  TOKEN_ISSUER,
} from '@runnerly/platform';
import { WORKSPACE_ROOT } from '../build/ensure-built';

/** The built web client (`nx run web:build`, which building the gateway runs first), served by the gateway. */
export const WEB_CLIENT_DIST = resolve(WORKSPACE_ROOT, 'apps/web/dist');

/** Where one stack's services listen and what they share. */
export interface StackTopology {
  host: string;
  ports: Record<ServiceName, number>;
  /** The connection URL of each service that owns a database. */
  databases: Partial<Record<ServiceName, string>>;
  /** Shared rate-limit counters; unset: in memory. */
  redisUrl?: string;
  nodeEnv: 'development' | 'test' | 'production';
  /** Extra variables per service (a test's small rate limits, a signing key, ...). */
  extra?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * The environment of each service of the manifest for one stack, in one place: how services find each other
 * (`<NAME>_URL` for what they call, `JWKS_URL` for the issuer's keys), and which proxies they trust. Internal
 * services trust exactly one hop (the gateway, which is the only way in); the gateway, facing clients
 * directly, trusts none. The gateway serves the web client.
 */
export function stackEnvironment(topology: StackTopology): Record<ServiceName, Record<string, string>> {
  const url = (name: ServiceName) => `http://${topology.host}:${topology.ports[name]}`;
  const common = {
    NODE_ENV: topology.nodeEnv,
    HOST: topology.host,
    LOG_FORMAT: 'json',
    // Nothing balances a local stack: no one needs time to notice a stopping service.
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    ...(topology.redisUrl ? { REDIS_URL: topology.redisUrl } : {}),
  };
  const environment = (service: (typeof SERVICES)[number]): Record<string, string> => {
    const databaseUrl = topology.databases[service.name];
    if (service.database && databaseUrl === undefined) throw new Error(`No database URL for ${service.name}`);
    return {
      ...common,
      PORT: String(topology.ports[service.name]),
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
      ...(service.name === TOKEN_ISSUER ? {} : { JWKS_URL: `${url(TOKEN_ISSUER)}${JWKS_PATH}` }),
      ...Object.fromEntries(calleesOf(service).map((callee) => [serviceUrlVariable(callee), url(callee)])),
      TRUST_PROXY_HOPS: service.kind === 'gateway' ? '0' : '1',
      ...(service.kind === 'gateway' ? { WEB_CLIENT_ROOT: WEB_CLIENT_DIST } : {}),
      ...topology.extra?.[service.name],
    };
  };
  return Object.fromEntries(SERVICES.map((service) => [service.name, environment(service)])) as Record<
    ServiceName,
    Record<string, string>
  >;
}
