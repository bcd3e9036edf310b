import { join, resolve } from 'node:path';
import { STACK_SERVICES, type StackService } from '@runnerly/dev-infra';

export type LogFormat = 'pretty' | 'json';

/** Where the services' data lives: the launcher's own embedded PostgreSQL, or databases the user gives. */
export type StackDatabases =
  | { kind: 'embedded'; port: number; dataDir: string }
  | { kind: 'external'; urls: Record<'users' | 'runs', string> };

/** Everything the launcher reads from its environment, validated before anything starts. */
export interface StackConfig {
  repoRoot: string;
  /** Git-ignored state: PostgreSQL's data, the generated secrets, the pid file. */
  stateDir: string;
  secretsDir: string;
  /** The built entry point of each service. */
  entries: Record<StackService, string>;
  /** Internal services listen here only; the gateway may be given another host. */
  internalHost: string;
  gatewayHost: string;
  ports: Record<StackService, number>;
  databases: StackDatabases;
  redisUrl?: string;
  logFormat: LogFormat;
  /** Passed to every service as LOG_LEVEL when set. */
  logLevel?: string;
  /** Shows PostgreSQL's own output as it comes, not only when something fails. */
  verbose: boolean;
  /** The services' own variables found in the launcher's environment, passed on (see PASSED_THROUGH). */
  passedThrough: Record<StackService, Record<string, string>>;
}

/**
 * Service settings a developer may want on the local stack, passed on as they are: the first admin
 * (there is no default one), OAuth clients, and the browser origins allowed by CORS. `*_FILE` variants
 * work as for every service variable.
 */
export const PASSED_THROUGH: Readonly<Partial<Record<StackService, readonly string[]>>> = {
  users: [
    'BOOTSTRAP_ADMIN_EMAIL',
    'BOOTSTRAP_ADMIN_PASSWORD',
    'BOOTSTRAP_ADMIN_PASSWORD_FILE',
    'OAUTH_CLIENTS',
    'OAUTH_CLIENTS_FILE',
  ],
  gateway: ['CORS_ORIGINS'],
};

/** The environment variables the launcher reads, with their defaults; the reference lists these. */
export const STACK_ENV = {
  stateDir: 'RUNNERLY_STATE_DIR',
  gatewayHost: 'GATEWAY_HOST',
  gatewayPort: 'GATEWAY_PORT',
  usersPort: 'RUNNERLY_USERS_PORT',
  runsPort: 'RUNNERLY_RUNS_PORT',
  postgresPort: 'RUNNERLY_POSTGRES_PORT',
  usersDatabaseUrl: 'USERS_DATABASE_URL',
  runsDatabaseUrl: 'RUNS_DATABASE_URL',
  redisUrl: 'REDIS_URL',
  logFormat: 'LOG_FORMAT',
  logLevel: 'LOG_LEVEL',
  verbose: 'RUNNERLY_VERBOSE',
} as const;

export const STACK_DEFAULTS = {
  stateDir: '.runnerly',
  host: '127.0.0.1',
  ports: { gateway: 3000, users: 3001, runs: 3002 },
  postgresPort: 54329,
} as const;

const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const POSTGRES_URL = /^postgres(ql)?:\/\//;
const REDIS_URL = /^rediss?:\/\//;

export interface StackConfigContext {
  repoRoot: string;
  /** Relative paths in the environment are relative to this (the folder npm start runs in). */
  cwd: string;
  /** Logs are pretty in a terminal and JSON lines everywhere else, unless LOG_FORMAT says otherwise. */
  stdoutIsTerminal: boolean;
}

/** Reads and validates the launcher's environment; throws one message listing every problem. */
export function loadStackConfig(env: NodeJS.ProcessEnv, context: StackConfigContext): StackConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const port = (name: string, fallback: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (/^\d+$/.test(value) && parsed >= 1 && parsed <= 65_535) return parsed;
    problems.push(`${name} must be a port number from 1 to 65535, got "${value}"`);
    return fallback;
  };

  const stateDir = resolve(
    context.cwd,
    read(STACK_ENV.stateDir) ?? join(context.repoRoot, STACK_DEFAULTS.stateDir),
  );
  const ports: Record<StackService, number> = {
    gateway: port(STACK_ENV.gatewayPort, STACK_DEFAULTS.ports.gateway),
    users: port(STACK_ENV.usersPort, STACK_DEFAULTS.ports.users),
    runs: port(STACK_ENV.runsPort, STACK_DEFAULTS.ports.runs),
  };
  const gatewayHost = read(STACK_ENV.gatewayHost) ?? STACK_DEFAULTS.host;
  if (!/^[A-Za-z0-9.:_-]{1,255}$/.test(gatewayHost)) {
    problems.push(`${STACK_ENV.gatewayHost} must be a host name or an IP address, got "${gatewayHost}"`);
  }

  const databases = readDatabases(read, port, stateDir, problems);
  const taken = [...Object.values(ports), ...(databases.kind === 'embedded' ? [databases.port] : [])];
  if (new Set(taken).size !== taken.length) {
    problems.push(
      `The gateway, users, runs and PostgreSQL need four different ports, got ${taken.join(', ')}`,
    );
  }

  const redisUrl = read(STACK_ENV.redisUrl);
  if (redisUrl !== undefined && !REDIS_URL.test(redisUrl)) {
    problems.push(`${STACK_ENV.redisUrl} must be a redis:// or rediss:// URL`);
  }
  const logFormat = read(STACK_ENV.logFormat) ?? (context.stdoutIsTerminal ? 'pretty' : 'json');
  if (!LOG_FORMATS.includes(logFormat as LogFormat)) {
    problems.push(`${STACK_ENV.logFormat} must be one of ${LOG_FORMATS.join(', ')}, got "${logFormat}"`);
  }
  const logLevel = read(STACK_ENV.logLevel);
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    problems.push(`${STACK_ENV.logLevel} must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  if (problems.length > 0) {
    throw new Error(`the environment needs fixing:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    repoRoot: context.repoRoot,
    stateDir,
    secretsDir: join(stateDir, 'secrets'),
    entries: Object.fromEntries(
      STACK_SERVICES.map((service) => [service, join(context.repoRoot, 'apps', service, 'dist', 'main.js')]),
    ) as Record<StackService, string>,
    internalHost: STACK_DEFAULTS.host,
    gatewayHost,
    ports,
    databases,
    redisUrl,
    logFormat: logFormat as LogFormat,
    logLevel,
    verbose: read(STACK_ENV.verbose) === '1',
    passedThrough: Object.fromEntries(
      STACK_SERVICES.map((service) => [
        service,
        Object.fromEntries(
          (PASSED_THROUGH[service] ?? []).flatMap((name) =>
            read(name) === undefined ? [] : [[name, read(name)!]],
          ),
        ),
      ]),
    ) as Record<StackService, Record<string, string>>,
  };
}

function readDatabases(
  read: (name: string) => string | undefined,
  port: (name: string, fallback: number) => number,
  stateDir: string,
  problems: string[],
): StackDatabases {
  const users = read(STACK_ENV.usersDatabaseUrl);
  const runs = read(STACK_ENV.runsDatabaseUrl);
  if (users === undefined && runs === undefined) {
    const postgresPort = port(STACK_ENV.postgresPort, STACK_DEFAULTS.postgresPort);
    return { kind: 'embedded', port: postgresPort, dataDir: join(stateDir, 'postgres') };
  }
  if (users === undefined || runs === undefined) {
    const [given, missing] =
      users === undefined
        ? [STACK_ENV.runsDatabaseUrl, STACK_ENV.usersDatabaseUrl]
        : [STACK_ENV.usersDatabaseUrl, STACK_ENV.runsDatabaseUrl];
    problems.push(
      `${given} is set but ${missing} is not: set both to use your own PostgreSQL databases ` +
        '(one per service), or neither to use the embedded PostgreSQL',
    );
  }
  for (const [name, value] of [
    [STACK_ENV.usersDatabaseUrl, users],
    [STACK_ENV.runsDatabaseUrl, runs],
  ] as const) {
    // Never echo the value: it holds a password.
    if (value !== undefined && !POSTGRES_URL.test(value)) problems.push(`${name} must be a postgres:// URL`);
  }
  return { kind: 'external', urls: { users: users ?? '', runs: runs ?? '' } };
}
