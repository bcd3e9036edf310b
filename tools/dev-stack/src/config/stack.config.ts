import { join, resolve } from 'node:path';
import {
  DATABASE_SERVICES,
  SERVICE_NAMES,
  type ServiceName,
  SERVICES,
  serviceNamed,
} from '@runnerly/platform';

export type LogFormat = 'pretty' | 'json';

/** Where the services' data lives: the launcher's own embedded PostgreSQL, or databases the user gives. */
export type StackDatabases =
  | { kind: 'embedded'; port: number; dataDir: string }
  | { kind: 'external'; urls: Partial<Record<ServiceName, string>> };

/** The development SMTP server (infra/mail-catcher) that users sends its mails to: it delivers none. */
export interface MailCatcherConfig {
  /** The script, run by this Node as the services are. */
  entry: string;
  smtpPort: number;
  /** Where the caught mails are read: GET /mails. */
  httpPort: number;
}

/** Everything the launcher reads from its environment, validated before anything starts. */
export interface StackConfig {
  repoRoot: string;
  /** Git-ignored state: PostgreSQL's data, the generated secrets, the pid file. */
  stateDir: string;
  secretsDir: string;
  /** The built entry point of each service. */
  entries: Record<ServiceName, string>;
  /** Internal services listen here only; the gateway may be given another host. */
  internalHost: string;
  gatewayHost: string;
  ports: Record<ServiceName, number>;
  /** Where each service serves GET /metrics (METRICS_PORT), on the internal host. */
  metricsPorts: Record<ServiceName, number>;
  databases: StackDatabases;
  mailCatcher: MailCatcherConfig;
  redisUrl?: string;
  logFormat: LogFormat;
  /** Passed to every service as LOG_LEVEL when set. */
  logLevel?: string;
  /** Shows PostgreSQL's own output as it comes, not only when something fails. */
  verbose: boolean;
  /** The gateway serves HTTPS, with a certificate from a development CA kept in `<stateDir>/tls`. */
  https: boolean;
  /** The services' own variables found in the launcher's environment, passed on (see PASSED_THROUGH). */
  passedThrough: Record<ServiceName, Record<string, string>>;
}

/**
 * Service settings a developer may want on the local stack, passed on as they are: the first admin
 * (there is no default one), OAuth clients, an OpenID provider to sign in with, the site's public origin (the gateway unless said: the links in
 * mails open it, and only its pages may use the browser session), and the browser origins allowed by CORS. `*_FILE` variants work as for every service variable.
 */
export const PASSED_THROUGH: Readonly<Partial<Record<ServiceName, readonly string[]>>> = {
  users: [
    'BOOTSTRAP_ADMIN_EMAIL',
    'BOOTSTRAP_ADMIN_PASSWORD',
    'BOOTSTRAP_ADMIN_PASSWORD_FILE',
    'OAUTH_CLIENTS',
    'OAUTH_CLIENTS_FILE',
    'PUBLIC_ORIGIN',
    'OIDC_ISSUER',
    'OIDC_CLIENT_ID',
    'OIDC_CLIENT_SECRET',
    'OIDC_CLIENT_SECRET_FILE',
    'OIDC_PROVIDER_NAME',
  ],
  gateway: ['CORS_ORIGINS', 'PUBLIC_ORIGIN'],
};

/** The environment variables the launcher reads, with their defaults; the reference lists these. */
export const STACK_ENV = {
  stateDir: 'RUNNERLY_STATE_DIR',
  gatewayHost: 'GATEWAY_HOST',
  postgresPort: 'RUNNERLY_POSTGRES_PORT',
  mailSmtpPort: 'RUNNERLY_MAIL_SMTP_PORT',
  mailHttpPort: 'RUNNERLY_MAIL_HTTP_PORT',
  redisUrl: 'REDIS_URL',
  logFormat: 'LOG_FORMAT',
  logLevel: 'LOG_LEVEL',
  verbose: 'RUNNERLY_VERBOSE',
  https: 'RUNNERLY_HTTPS',
} as const;

/** Each service of the manifest listens on a port of its own: `GATEWAY_PORT`, `RUNNERLY_USERS_PORT`, ... */
export function portVariable(service: ServiceName): string {
  return serviceNamed(service).kind === 'gateway' ? 'GATEWAY_PORT' : `RUNNERLY_${service.toUpperCase()}_PORT`;
}

/** Each service's metrics port: `RUNNERLY_USERS_METRICS_PORT`, `RUNNERLY_GATEWAY_METRICS_PORT`, ... */
export function metricsPortVariable(service: ServiceName): string {
  return `RUNNERLY_${service.toUpperCase()}_METRICS_PORT`;
}

/**
 * A service's metrics port unless its variable says otherwise: its manifest port plus this, so each service has
 * one of its own, away from the ports above (gateway 9100, users 9101, runs 9102, a generated service's next).
 */
export const METRICS_PORT_OFFSET = 6100;

/** Your own PostgreSQL database for a service that owns one: `USERS_DATABASE_URL`, `RUNS_DATABASE_URL`, ... */
export function databaseUrlVariable(service: ServiceName): string {
  return `${service.toUpperCase()}_DATABASE_URL`;
}

export const STACK_DEFAULTS = {
  stateDir: '.runnerly',
  host: '127.0.0.1',
  postgresPort: 54329,
  // The ports mail catchers (MailHog, Mailpit) use, so that a developer's habits and bookmarks work.
  mailSmtpPort: 1025,
  mailHttpPort: 8025,
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
  const ports = Object.fromEntries(
    SERVICES.map((service) => [service.name, port(portVariable(service.name), service.port)]),
  ) as Record<ServiceName, number>;
  const metricsPorts = Object.fromEntries(
    SERVICES.map((service) => [
      service.name,
      port(metricsPortVariable(service.name), service.port + METRICS_PORT_OFFSET),
    ]),
  ) as Record<ServiceName, number>;
  const gatewayHost = read(STACK_ENV.gatewayHost) ?? STACK_DEFAULTS.host;
  if (!/^[A-Za-z0-9.:_-]{1,255}$/.test(gatewayHost)) {
    problems.push(`${STACK_ENV.gatewayHost} must be a host name or an IP address, got "${gatewayHost}"`);
  }

  const databases = readDatabases(read, port, stateDir, problems);
  const mailCatcher: MailCatcherConfig = {
    entry: join(context.repoRoot, 'infra', 'mail-catcher', 'mail-catcher.mjs'),
    smtpPort: port(STACK_ENV.mailSmtpPort, STACK_DEFAULTS.mailSmtpPort),
    httpPort: port(STACK_ENV.mailHttpPort, STACK_DEFAULTS.mailHttpPort),
  };
  const taken = [
    ...Object.values(ports),
    ...Object.values(metricsPorts),
    mailCatcher.smtpPort,
    mailCatcher.httpPort,
    ...(databases.kind === 'embedded' ? [databases.port] : []),
  ];
  if (new Set(taken).size !== taken.length) {
    problems.push(
      `The services (${SERVICE_NAMES.join(', ')}), their metrics, the mail catcher and PostgreSQL need ` +
        `different ports, got ${taken.join(', ')}`,
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

  const https = read(STACK_ENV.https);
  if (https !== undefined && https !== '1' && https !== '0') {
    problems.push(`${STACK_ENV.https} must be 1 (HTTPS) or 0 (plain HTTP), got "${https}"`);
  }

  if (problems.length > 0) {
    throw new Error(`the environment needs fixing:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    repoRoot: context.repoRoot,
    stateDir,
    secretsDir: join(stateDir, 'secrets'),
    entries: Object.fromEntries(
      SERVICE_NAMES.map((service) => [service, join(context.repoRoot, 'apps', service, 'dist', 'main.js')]),
    ) as Record<ServiceName, string>,
    internalHost: STACK_DEFAULTS.host,
    gatewayHost,
    ports,
    metricsPorts,
    databases,
    mailCatcher,
    redisUrl,
    logFormat: logFormat as LogFormat,
    logLevel,
    verbose: read(STACK_ENV.verbose) === '1',
    https: https === '1',
    passedThrough: Object.fromEntries(
      SERVICE_NAMES.map((service) => [
        service,
        Object.fromEntries(
          (PASSED_THROUGH[service] ?? []).flatMap((name) =>
            read(name) === undefined ? [] : [[name, read(name)!]],
          ),
        ),
      ]),
    ) as Record<ServiceName, Record<string, string>>,
  };
}

function readDatabases(
  read: (name: string) => string | undefined,
  port: (name: string, fallback: number) => number,
  stateDir: string,
  problems: string[],
): StackDatabases {
  const urls = Object.fromEntries(
    DATABASE_SERVICES.flatMap((service) => {
      const url = read(databaseUrlVariable(service));
      return url === undefined ? [] : [[service, url]];
    }),
  ) as Partial<Record<ServiceName, string>>;
  const given = DATABASE_SERVICES.filter((service) => urls[service] !== undefined).map(databaseUrlVariable);
  const missing = DATABASE_SERVICES.filter((service) => urls[service] === undefined).map(databaseUrlVariable);
  if (given.length === 0) {
    const postgresPort = port(STACK_ENV.postgresPort, STACK_DEFAULTS.postgresPort);
    return { kind: 'embedded', port: postgresPort, dataDir: join(stateDir, 'postgres') };
  }
  if (missing.length > 0) {
    problems.push(
      `${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set but ${missing.join(', ')} ` +
        `${missing.length === 1 ? 'is' : 'are'} not: set every one to use your own PostgreSQL databases ` +
        '(one per service), or none to use the embedded PostgreSQL',
    );
  }
  for (const [service, url] of Object.entries(urls)) {
    // Never echo the value: it holds a password.
    if (!POSTGRES_URL.test(url))
      problems.push(`${databaseUrlVariable(service as ServiceName)} must be a postgres:// URL`);
  }
  return { kind: 'external', urls };
}
