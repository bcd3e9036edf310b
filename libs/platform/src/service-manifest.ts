/**
 * What one service of the system is, for everything that runs, wires or tests the services together: the
 * launcher of `npm start`, the environment of a local stack, the gateway's upstreams, readiness and API docs,
 * the checks of docker-compose.yml, the container tests and the bench. Its code lives in `apps/<name>`.
 */
export interface ServiceDefinition {
  /**
   * The app folder (`apps/<name>`), compose service, image, database, database role and variable prefix
   * (`USERS_URL`) are named after it, so it is lower-case letters and digits only.
   */
  readonly name: string;
  /**
   * `gateway`: the one public entry point, in front of every `service`. `service`: internal, reached through
   * the gateway only, which forwards its routes and asks for its readiness.
   */
  readonly kind: 'gateway' | 'service';
  /** Where it listens in a local stack (`npm start`, overridable) and in its container. */
  readonly port: number;
  /** Owns a PostgreSQL database of its own, and a least-privilege role, both named after it. */
  readonly database: boolean;
  /** Issues the tokens and publishes their keys (JWKS); every other service verifies tokens with them. */
  readonly issuesTokens?: boolean;
  /** Internal services it calls itself (beyond the gateway's forwarding), each found through `<NAME>_URL`. */
  readonly calls?: readonly string[];
}

/**
 * The services of Runnerly, in start order: the token issuer first, the gateway last. Adding a service here is
 * how the launcher, the stack tests, the gateway and the bench learn of it (docs/how-to/add-a-service.md).
 */
export const SERVICES = [
  { name: 'users', kind: 'service', port: 3001, database: true, issuesTokens: true, calls: ['runs'] },
  { name: 'runs', kind: 'service', port: 3002, database: true },
  { name: 'gateway', kind: 'gateway', port: 3000, database: false },
] as const satisfies readonly ServiceDefinition[];

export type ServiceName = (typeof SERVICES)[number]['name'];

/** Every service's name, in start order. */
export const SERVICE_NAMES: readonly ServiceName[] = SERVICES.map((service) => service.name);

/** The internal services: what the gateway forwards to. */
export type UpstreamName = Extract<(typeof SERVICES)[number], { kind: 'service' }>['name'];

export const UPSTREAMS: readonly UpstreamName[] = SERVICES.flatMap((service) =>
  service.kind === 'service' ? [service.name] : [],
);

/** The services that own a database. */
export const DATABASE_SERVICES: readonly ServiceName[] = SERVICES.flatMap((service) =>
  service.database ? [service.name] : [],
);

/** The service that issues tokens and publishes the JWKS. */
export const TOKEN_ISSUER: ServiceName = SERVICES.find((service) => 'issuesTokens' in service)!.name;

/** The services one service sends requests to: every upstream for the gateway, its `calls` for the others. */
export function calleesOf(service: ServiceDefinition): readonly ServiceName[] {
  // `calls` names services of this manifest: its spec checks it.
  return service.kind === 'gateway' ? UPSTREAMS : ((service.calls ?? []) as readonly ServiceName[]);
}

/** The definition of one service. */
export function serviceNamed(name: ServiceName): ServiceDefinition {
  return SERVICES.find((service) => service.name === name)!;
}

/**
 * The environment variable that holds a service's base URL (or, for the gateway, its comma-separated
 * instances): `users` → `USERS_URL`.
 */
export function serviceUrlVariable(name: string): string {
  return `${name.toUpperCase()}_URL`;
}

/** The path where the token issuer publishes its public keys. */
export const JWKS_PATH = '/.well-known/jwks.json';

/** A service's base URL on this machine at its manifest port: the default of every `<NAME>_URL`. */
export function localServiceUrl(name: ServiceName): string {
  return `http://127.0.0.1:${serviceNamed(name).port}`;
}
