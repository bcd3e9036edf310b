import { randomBytes } from 'node:crypto';
import { ServiceProcess, STACK_SERVICES, type StackService, stackEnvironment } from '@runnerly/dev-infra';
import { generateRsaPrivateKeyPem } from '@runnerly/security/testing';
import {
  createTestDatabase,
  freePort,
  serviceEntry,
  type TestDatabase,
  testRedisUrl,
  WORKSPACE_ROOT,
} from '@runnerly/testing';

// The password must pass the policy too: it may not contain the email's local part.
export const ADMIN = { email: 'operator@stack.example', password: 'first admin passphrase 2026' };

export interface StackOptions {
  /** Share rate-limit counters through the test run's Redis. */
  withRedis?: boolean;
  /** Rewrites each service's database URL, e.g. through a `TcpFaultProxy` that can stage an outage. */
  routeDatabase?: (url: string) => string;
  /** Extra environment per service (small rate limits, short timeouts, ...). */
  extra?: Partial<Record<StackService, Record<string, string>>>;
}

/** One JSON log line of a service. */
export type ServiceLogLine = Record<string, unknown> & { msg?: string; requestId?: string };

/**
 * The whole stack for one test file: users, runs and the gateway as separate processes (the built
 * JavaScript, as in production) on their own least-privilege databases, wired by the same
 * stackEnvironment that `npm start` uses. Tests talk to the gateway only.
 */
export class Stack {
  readonly logs: Record<string, ServiceLogLine[]> = {};
  /** The same lines as written, split where a line reader splits them (CR, LF, U+2028, U+2029). */
  readonly rawLogs: Record<string, string[]> = {};
  private readonly processes = new Map<string, ServiceProcess>();

  private constructor(
    readonly env: Record<StackService, Record<string, string>>,
    readonly databases: { users: TestDatabase; runs: TestDatabase },
  ) {}

  static async start(options: StackOptions = {}): Promise<Stack> {
    const [users, runs] = await Promise.all([
      createTestDatabase('stack_users'),
      createTestDatabase('stack_runs'),
    ]);
    const redisUrl = options.withRedis ? testRedisUrl() : undefined;
    // All test traffic comes from 127.0.0.1: limits stay out of the way unless a spec sets its own.
    const generousLimits = {
      RATE_LIMIT_GENERAL_LIMIT: '100000',
      RATE_LIMIT_CREDENTIALS_IP_LIMIT: '100000',
      RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT: '1000',
      RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT: '100000',
    };
    if (options.withRedis && !redisUrl) throw new Error('This stack needs Redis: use describeWithRedis');
    const env = stackEnvironment({
      host: '127.0.0.1',
      ports: { gateway: await freePort(), users: await freePort(), runs: await freePort() },
      databases: {
        users: options.routeDatabase?.(users.url) ?? users.url,
        runs: options.routeDatabase?.(runs.url) ?? runs.url,
      },
      redisUrl,
      nodeEnv: 'test',
      extra: {
        users: {
          JWT_PRIVATE_KEY: generateRsaPrivateKeyPem(),
          BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
          BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
          RUN_PURGE_POLL_INTERVAL_MS: '300',
          RUN_PURGE_RETRY_BASE_MS: '200',
          ...generousLimits,
          ...options.extra?.users,
        },
        runs: { ...generousLimits, ...options.extra?.runs },
        // Its own namespace in the shared test Redis, so parallel suites never share counters.
        gateway: {
          RATE_LIMIT_KEY_PREFIX: `stack:${randomBytes(4).toString('hex')}:`,
          ...generousLimits,
          ...options.extra?.gateway,
        },
      },
    });
    const stack = new Stack(env, { users, runs });
    try {
      for (const service of STACK_SERVICES) await stack.startService(service);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.env.gateway.PORT}`;
  }

  /** Starts (or restarts) one service with its stack environment, plus overrides. */
  async startService(
    service: StackService,
    name: string = service,
    overrides: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    const env = { ...this.env[service], ...overrides };
    this.logs[name] ??= [];
    this.rawLogs[name] ??= [];
    const started = await ServiceProcess.start({
      name,
      entry: serviceEntry(service),
      env,
      url: `http://127.0.0.1:${env.PORT}`,
      cwd: WORKSPACE_ROOT,
      onLine: (line, stream) => {
        this.logs[name]!.push(parseLine(line));
        if (stream === 'stdout') this.rawLogs[name]!.push(line);
      },
    });
    this.processes.set(name, started);
    return started;
  }

  /** The running process of a service, if it was started and not stopped. */
  process(name: string): ServiceProcess | undefined {
    return this.processes.get(name);
  }

  /** The URL of one service itself (not through the gateway). */
  serviceUrl(service: StackService): string {
    return `http://127.0.0.1:${this.env[service].PORT}`;
  }

  async stopService(name: string): Promise<void> {
    await this.processes.get(name)?.stop();
    this.processes.delete(name);
  }

  /** A second gateway on its own port, sharing everything else (Redis included): another replica. */
  async startReplicaGateway(name: string): Promise<string> {
    const port = String(await freePort());
    await this.startService('gateway', name, { PORT: port });
    return `http://127.0.0.1:${port}`;
  }

  /** How many runs a user has, counted in the runs database itself (what an auditor would check). */
  async runCountOf(userId: string): Promise<number> {
    const [row] = await this.databases.runs.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM runs WHERE user_id = $1',
      [userId],
    );
    return row!.n;
  }

  async stop(): Promise<void> {
    for (const name of [...this.processes.keys()].reverse()) await this.stopService(name);
    await Promise.all([this.databases.users.drop(), this.databases.runs.drop()]);
  }
}

function parseLine(line: string): ServiceLogLine {
  try {
    return JSON.parse(line) as ServiceLogLine;
  } catch {
    return { msg: line };
  }
}
