import { loadStackConfig } from './stack.config';

const REPO = '/work/repo';
const context = { repoRoot: REPO, cwd: '/elsewhere', stdoutIsTerminal: false };
const load = (env: NodeJS.ProcessEnv, overrides: Partial<typeof context> = {}) =>
  loadStackConfig(env, { ...context, ...overrides });

const USERS_URL = 'postgresql://users:users-db-secret@db.example:5432/users';
const RUNS_URL = 'postgresql://runs:runs-db-secret@db.example:5432/runs';

describe('loadStackConfig', () => {
  it('defaults to the embedded PostgreSQL on 54329, ports 3000-3002, metrics on 9100-9102, the mail catcher on 1025 and 8025, and state in <repo>/.runnerly', () => {
    const config = load({});

    expect(config).toMatchObject({
      stateDir: `${REPO}/.runnerly`,
      secretsDir: `${REPO}/.runnerly/secrets`,
      internalHost: '127.0.0.1',
      gatewayHost: '127.0.0.1',
      ports: { gateway: 3000, users: 3001, runs: 3002 },
      metricsPorts: { gateway: 9100, users: 9101, runs: 9102 },
      databases: { kind: 'embedded', port: 54329, dataDir: `${REPO}/.runnerly/postgres` },
      mailCatcher: { entry: `${REPO}/infra/mail-catcher/mail-catcher.mjs`, smtpPort: 1025, httpPort: 8025 },
      logFormat: 'json',
      verbose: false,
      https: false,
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.entries).toEqual({
      users: `${REPO}/apps/users/dist/main.js`,
      runs: `${REPO}/apps/runs/dist/main.js`,
      gateway: `${REPO}/apps/gateway/dist/main.js`,
    });
  });

  it('reads every port, the gateway host, the state folder, Redis, the log level and verbosity', () => {
    const config = load({
      RUNNERLY_STATE_DIR: 'state',
      GATEWAY_HOST: '0.0.0.0',
      GATEWAY_PORT: '4000',
      RUNNERLY_USERS_PORT: '4001',
      RUNNERLY_RUNS_PORT: '4002',
      RUNNERLY_GATEWAY_METRICS_PORT: '4100',
      RUNNERLY_USERS_METRICS_PORT: '4101',
      RUNNERLY_RUNS_METRICS_PORT: '4102',
      RUNNERLY_POSTGRES_PORT: '4003',
      RUNNERLY_MAIL_SMTP_PORT: '4025',
      RUNNERLY_MAIL_HTTP_PORT: '4080',
      REDIS_URL: 'redis://:pw@127.0.0.1:6379',
      LOG_LEVEL: 'debug',
      RUNNERLY_VERBOSE: '1',
    });

    expect(config).toMatchObject({
      stateDir: '/elsewhere/state', // relative to where npm start runs
      gatewayHost: '0.0.0.0',
      ports: { gateway: 4000, users: 4001, runs: 4002 },
      metricsPorts: { gateway: 4100, users: 4101, runs: 4102 },
      databases: { kind: 'embedded', port: 4003, dataDir: '/elsewhere/state/postgres' },
      mailCatcher: { smtpPort: 4025, httpPort: 4080 },
      redisUrl: 'redis://:pw@127.0.0.1:6379',
      logLevel: 'debug',
      verbose: true,
    });
  });

  it('passes the first admin, OAuth clients, the OpenID provider, the public origin and CORS origins on to the services that read them, and nothing else', () => {
    const config = load({
      BOOTSTRAP_ADMIN_EMAIL: 'ops@example.com',
      BOOTSTRAP_ADMIN_PASSWORD_FILE: '/run/secrets/admin',
      OIDC_ISSUER: 'https://accounts.example.com',
      OIDC_CLIENT_SECRET_FILE: '/run/secrets/oidc',
      PUBLIC_ORIGIN: 'http://localhost:5173',
      CORS_ORIGINS: 'https://app.example.com',
      JWT_PRIVATE_KEY: 'not passed on',
    });

    expect(config.passedThrough).toEqual({
      users: {
        BOOTSTRAP_ADMIN_EMAIL: 'ops@example.com',
        BOOTSTRAP_ADMIN_PASSWORD_FILE: '/run/secrets/admin',
        OIDC_ISSUER: 'https://accounts.example.com',
        OIDC_CLIENT_SECRET_FILE: '/run/secrets/oidc',
        PUBLIC_ORIGIN: 'http://localhost:5173',
      },
      runs: {},
      // The site's origin: the only one whose pages may use the browser session routes.
      gateway: { CORS_ORIGINS: 'https://app.example.com', PUBLIC_ORIGIN: 'http://localhost:5173' },
    });
  });

  it('uses the database URLs as given, and starts no embedded PostgreSQL', () => {
    expect(load({ USERS_DATABASE_URL: USERS_URL, RUNS_DATABASE_URL: RUNS_URL }).databases).toEqual({
      kind: 'external',
      urls: { users: USERS_URL, runs: RUNS_URL },
    });
  });

  it.each([
    [{ USERS_DATABASE_URL: USERS_URL }, 'USERS_DATABASE_URL is set but RUNS_DATABASE_URL is not'],
    [{ RUNS_DATABASE_URL: RUNS_URL }, 'RUNS_DATABASE_URL is set but USERS_DATABASE_URL is not'],
  ])('refuses some database URLs without the others: %j', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  it.each([
    [{ GATEWAY_PORT: 'http' }, 'GATEWAY_PORT must be a port number from 1 to 65535, got "http"'],
    [{ RUNNERLY_USERS_PORT: '0' }, 'RUNNERLY_USERS_PORT must be a port number'],
    [{ RUNNERLY_POSTGRES_PORT: '70000' }, 'RUNNERLY_POSTGRES_PORT must be a port number'],
    [
      { RUNNERLY_RUNS_PORT: '3000' },
      'their metrics, the mail catcher and PostgreSQL need different ports, got 3001, 3000, 3000, 9101, 9102, 9100, 1025, 8025, 54329',
    ],
    [
      { RUNNERLY_MAIL_HTTP_PORT: '1025' },
      'need different ports, got 3001, 3002, 3000, 9101, 9102, 9100, 1025, 1025, 54329',
    ],
    [
      { RUNNERLY_USERS_METRICS_PORT: '3002' },
      'need different ports, got 3001, 3002, 3000, 3002, 9102, 9100, 1025, 8025, 54329',
    ],
    [{ RUNNERLY_RUNS_METRICS_PORT: 'metrics' }, 'RUNNERLY_RUNS_METRICS_PORT must be a port number'],
    [{ RUNNERLY_MAIL_SMTP_PORT: 'smtp' }, 'RUNNERLY_MAIL_SMTP_PORT must be a port number'],
    [{ GATEWAY_HOST: 'bad host' }, 'GATEWAY_HOST must be a host name or an IP address'],
    [{ REDIS_URL: 'http://cache' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT must be one of pretty, json, got "xml"'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ RUNNERLY_HTTPS: 'yes' }, 'RUNNERLY_HTTPS must be 1 (HTTPS) or 0 (plain HTTP), got "yes"'],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  it('lists every problem at once', () => {
    expect(() => load({ GATEWAY_PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/GATEWAY_PORT[\s\S]*LOG_LEVEL/);
  });

  it('never echoes a database URL, which holds a password', () => {
    const secretLooking = 'mysql://users:hunter2-secret@db.example/users';
    expect(() => load({ USERS_DATABASE_URL: secretLooking, RUNS_DATABASE_URL: RUNS_URL })).toThrow(
      'USERS_DATABASE_URL must be a postgres:// URL',
    );
    try {
      load({ USERS_DATABASE_URL: secretLooking, RUNS_DATABASE_URL: RUNS_URL });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('logs pretty in a terminal and JSON elsewhere, unless LOG_FORMAT says otherwise', () => {
    expect(load({}, { stdoutIsTerminal: true }).logFormat).toBe('pretty');
    expect(load({}, { stdoutIsTerminal: false }).logFormat).toBe('json');
    expect(load({ LOG_FORMAT: 'json' }, { stdoutIsTerminal: true }).logFormat).toBe('json');
    expect(load({ LOG_FORMAT: 'pretty' }, { stdoutIsTerminal: false }).logFormat).toBe('pretty');
  });

  it('treats empty variables as unset', () => {
    expect(load({ GATEWAY_PORT: '', USERS_DATABASE_URL: ' ', LOG_FORMAT: '' }).ports.gateway).toBe(3000);
  });
});
