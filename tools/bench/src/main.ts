import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  EmbeddedPostgresServer,
  provisionStackDatabases,
  ServiceProcess,
  stackEnvironment,
} from '@runnerly/dev-infra';
import { SERVICE_NAMES, type ServiceName } from '@runnerly/platform';
import { generateSecret, PasswordHasher } from '@runnerly/security';
import { backupRoundTrip } from './backup-round-trip';
import { memoryLimiterHeap, redisLimiterMemory } from './limiter-memory';
import { load, type LoadOptions } from './load';
import { OtlpSink } from './otlp-sink';
import { processTreeUsage } from './process-usage';
import {
  type Measured,
  type MetricsResults,
  type Results,
  type TracingResults,
  writeBackupResults,
  writeMetricsResults,
  writeResults,
  writeTlsResults,
  writeTracingResults,
} from './report';
import { withTlsOnEveryHop } from './tls-stack';

const ROOT = resolve(__dirname, '../../..');
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** A folder to write each service's CPU profile to (node --cpu-prof), for finding where the time goes. */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** With a Redis, the rate-limited scenarios run a second time with the counters in it. */
const REDIS_URL = process.env.REDIS_URL;
const CEILING_PORT = 39_100;
const POSTGRES_PORT = 39_099;
/** Each service of the manifest on its own port, from 39101 up. */
const PORTS = Object.fromEntries(SERVICE_NAMES.map((name, index) => [name, 39_101 + index])) as Record<
  ServiceName,
  number
>;
const CREDENTIALS = { email: 'runner@example.com', password: 'measured passphrase 2026' };
/** `npm run bench -- metrics`: each service's metrics listener, from 39201 up. */
const METRICS_PORTS = Object.fromEntries(
  SERVICE_NAMES.map((name, index) => [name, 39_201 + index]),
) as Record<ServiceName, number>;
/** `npm run bench -- tracing`: the OTLP sink the services export their spans to. */
const OTLP_SINK_PORT = 39_098;
/** `npm run bench -- tracing`: the share of requests traced in the third row. */
const SAMPLED_SHARE = 0.1;
/** `npm run bench -- tracing`: requests sent one at a time to count what one request exports. */
const TRACED_SAMPLE = 20;
/** `npm run bench -- backup`: the runs database is filled with this many runs, then backed up and restored. */
const BACKUP_ROWS = Number(process.env.BENCH_BACKUP_ROWS ?? 200_000);

/**
 * What differs from production: limits that the bench's clients, each making dozens of requests a second,
 * stay under, so that the limiter counts every request as it would in production without refusing any, except
 * for the one client of the 429 scenario, which uses up its 5,000 first.
 */
const BENCH_RATE_LIMITS = {
  RATE_LIMIT_GENERAL_LIMIT: '5000',
  RATE_LIMIT_CREDENTIALS_IP_LIMIT: '1000000',
  RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT: '1000',
  RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT: '100000',
  LOG_LEVEL: 'warn',
};

interface Scenario extends Omit<LoadOptions, 'connections' | 'durationMs'> {
  name: string;
}

/**
 * On one machine, in one run, small JSON reads measured against raw node:http (the ceiling): `runs` alone
 * (token verification + PostgreSQL), through the gateway (token pre-check, rate limit, proxy), refusals at
 * the gateway, health checks; then the latency the gateway adds at a steady load, login at saturation and
 * reads meanwhile, and the rate limiter's memory. Every figure with the CPU time each process spent per
 * request, so a reader sees where the time goes. Written to tools/bench/results/.
 */
async function main(scenario: string | undefined): Promise<void> {
  if (scenario !== undefined && !['backup', 'tls', 'metrics', 'tracing'].includes(scenario))
    throw new Error('Usage: npm run bench [-- backup | tls | metrics | tracing]');
  const work = mkdtempSync(join(tmpdir(), 'runnerly-bench-'));
  const ceiling = spawn(process.execPath, ['-e', CEILING_SERVER, String(CEILING_PORT)], { stdio: 'ignore' });
  const postgres = new EmbeddedPostgresServer({ dataDir: join(work, 'postgres'), port: POSTGRES_PORT });
  let services: ServiceProcess[] = [];
  try {
    const databases = await provisionStackDatabases(await postgres.start(), () => generateSecret());
    const env = stackEnvironment({
      host: '127.0.0.1',
      ports: PORTS,
      databases,
      nodeEnv: 'production',
      // The embedded PostgreSQL is on loopback: nothing leaves the machine to encrypt.
      extra: Object.fromEntries(
        SERVICE_NAMES.map((service) => [
          service,
          { ...BENCH_RATE_LIMITS, ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS: 'true' },
        ]),
      ),
    });
    env.users.JWT_PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    env.users.DATA_ENCRYPTION_KEYS = `bench-1:${randomBytes(32).toString('base64url')}`;
    // The site's origin (production requires one): the links in mails would open it; the bench sends none.
    env.users.PUBLIC_ORIGIN = env.gateway.PUBLIC_ORIGIN = `http://127.0.0.1:${PORTS.gateway}`;
    services = await startServices(env);
    if (scenario === 'backup') {
      // Alone: it fills the runs database, which would change what the other scenarios read.
      writeBackupResults(await backupRoundTrip(databases.runs!, BACKUP_ROWS));
      return;
    }
    const { token, runId } = await seed(`http://127.0.0.1:${PORTS.gateway}`);
    await waitForPort(CEILING_PORT);

    const processes = (): [string, number][] => [
      ...services.map((service): [string, number] => [service.name, service.pid]),
      ['postgres', postmasterPid(postgres.dataDir)],
    ];
    const bench = new Bench(processes);
    if (scenario === 'tls') {
      // Alone: the same reads over plain HTTP, then with the stack restarted with TLS on every hop.
      const plain = await tlsComparison(bench, `http://127.0.0.1:${PORTS.gateway}`, token, runId);
      for (const service of services.reverse()) await service.stop();
      const tls = await withTlsOnEveryHop(env);
      services = await startServices(tls.env);
      const secured = await tlsComparison(bench, `https://127.0.0.1:${PORTS.gateway}`, token, runId, tls.ca);
      writeTlsResults({ connections: CONNECTIONS, durationMs: DURATION_MS, plain, secured });
      return;
    }
    if (scenario === 'metrics') {
      // Alone: the same read without metrics, then with the stack restarted with METRICS_PORT on each service.
      const read = {
        url: `http://127.0.0.1:${PORTS.gateway}/api/runs/${runId}`,
        headers: { authorization: `Bearer ${token}` },
      };
      const [off] = await bench.each([{ ...read, name: 'GET /api/runs/:id, metrics off' }]);
      for (const service of services.reverse()) await service.stop();
      services = await startServicesWithMetrics(env);
      const [on] = await bench.each([{ ...read, name: 'GET /api/runs/:id, metrics on' }]);
      const scrapes = await Promise.all(SERVICE_NAMES.map(scrapeOnce));
      writeMetricsResults({ connections: CONNECTIONS, durationMs: DURATION_MS, off: off!, on: on!, scrapes });
      return;
    }
    if (scenario === 'tracing') {
      // Alone: the same read untraced, then with the stack restarted exporting every span to an OTLP sink.
      const read = {
        url: `http://127.0.0.1:${PORTS.gateway}/api/runs/${runId}`,
        headers: { authorization: `Bearer ${token}` },
      };
      const [off] = await bench.each([{ ...read, name: 'GET /api/runs/:id, tracing off' }]);
      for (const service of services.reverse()) await service.stop();
      const sink = OtlpSink.start(OTLP_SINK_PORT);
      try {
        await waitForPort(OTLP_SINK_PORT);
        services = await startServices(env, {
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_BSP_SCHEDULE_DELAY: String(TRACING_EXPORT_DELAY_MS),
        });
        const [on] = await bench.each([{ ...read, name: 'GET /api/runs/:id, tracing on (every request)' }]);
        const exported = await exportedPerRequest(sink, read);
        for (const service of services.reverse()) await service.stop();
        services = await startServices(env, {
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_BSP_SCHEDULE_DELAY: String(TRACING_EXPORT_DELAY_MS),
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: String(SAMPLED_SHARE),
        });
        const [sampled] = await bench.each([
          { ...read, name: `GET /api/runs/:id, tracing on (${SAMPLED_SHARE * 100} % of requests)` },
        ]);
        writeTracingResults({
          connections: CONNECTIONS,
          durationMs: DURATION_MS,
          off: off!,
          on: on!,
          sampled: sampled!,
          exported,
        });
      } finally {
        sink.stop();
      }
      return;
    }
    const runs = `http://127.0.0.1:${PORTS.runs}`;
    const gateway = `http://127.0.0.1:${PORTS.gateway}`;
    const auth = { authorization: `Bearer ${token}` };
    const readById: Scenario = {
      name: 'GET /api/runs/:id',
      url: `${gateway}/api/runs/${runId}`,
      headers: auth,
    };
    const overTheLimit = (storage: string): Scenario => ({
      ...readById,
      name: `S3 gateway refuses: over the limit (429), ${storage}`,
      oneClient: true,
      expectStatus: 429,
    });
    const proxiedRead: Scenario = { ...readById, name: 'S2 gateway → runs: GET /api/runs/:id' };
    const idle = bench.memory();

    // The ceiling first and last: this machine's speed drifts over minutes, and ratios use the mean of the two.
    const ceilingScenario = { name: 'node:http (ceiling)', url: `http://127.0.0.1:${CEILING_PORT}/runs` };
    const closedLoop = await bench.each([
      ceilingScenario,
      { name: 'S1 runs alone: GET /runs/:id', url: `${runs}/runs/${runId}`, headers: auth },
      { name: 'S1 runs alone: GET /runs?limit=10', url: `${runs}/runs?limit=10`, headers: auth },
      proxiedRead,
      {
        name: 'S2 gateway → runs: GET /api/runs?limit=10',
        url: `${gateway}/api/runs?limit=10`,
        headers: auth,
      },
      { name: 'S3 gateway refuses: no token (401)', url: `${gateway}/api/runs?limit=10`, expectStatus: 401 },
      {
        name: 'S3 gateway refuses: forged token (401)',
        url: `${gateway}/api/runs?limit=10`,
        headers: { authorization: `Bearer ${forge(token)}` },
        expectStatus: 401,
      },
      overTheLimit('in memory'),
      { name: 'runs alone: GET /health/live', url: `${runs}/health/live` },
      { name: 'gateway: GET /health/live', url: `${gateway}/health/live` },
      { ...ceilingScenario, name: 'node:http (ceiling), again' },
    ]);

    // The gateway's added latency, at half the rate it can serve: open loop, so a slow answer delays no other.
    const [, mostProxied] = closedLoop.find(([name]) => name === proxiedRead.name)!;
    const halfRate = Math.round(mostProxied.requestsPerSecond / 2);
    const steady = await bench.each(
      [
        {
          name: `S1 runs alone: GET /runs/:id at ${halfRate}/s`,
          url: `${runs}/runs/${runId}`,
          headers: auth,
        },
        { ...readById, name: `S2 gateway → runs: GET /api/runs/:id at ${halfRate}/s` },
      ].map((scenario) => ({ ...scenario, ratePerSecond: halfRate })),
    );

    const login: Scenario = {
      name: 'S4 login at saturation: POST /api/auth/login',
      url: `${gateway}/api/auth/login`,
      method: 'POST',
      body: JSON.stringify(CREDENTIALS),
    };
    const hashMs = await passwordVerifyMs(availableParallelism());
    const [loginAlone] = await bench.each([login]);
    const duringLogin = await bench.together([
      { ...login, name: 'S4 login at saturation, reads beside it' },
      {
        ...readById,
        name: `S2 GET /api/runs/:id at ${halfRate}/s while login is saturated`,
        ratePerSecond: halfRate,
      },
    ]);
    const afterLoad = bench.memory();

    const withRedis: [string, Measured][] = [];
    if (REDIS_URL) {
      for (const service of services.reverse()) await service.stop();
      services = await startServices(env, { REDIS_URL });
      withRedis.push(
        ...(await bench.each([
          { ...readById, name: 'S2 gateway → runs: GET /api/runs/:id, counters in Redis' },
          overTheLimit('counters in Redis'),
        ])),
      );
    }

    writeResults({
      connections: CONNECTIONS,
      durationMs: DURATION_MS,
      closedLoop,
      steady,
      login: {
        hashMs,
        cores: availableParallelism(),
        alone: loginAlone!,
        together: duringLogin,
      },
      withRedis,
      limiter: {
        memory: [await memoryLimiterHeap(100_000), await memoryLimiterHeap(200_000)],
        redis: REDIS_URL ? [await redisLimiterMemory(REDIS_URL, 100_000)] : [],
      },
      memoryBytes: { idle, afterLoad },
    } satisfies Results);
  } finally {
    for (const service of services.reverse()) await service.stop();
    await postgres.stop();
    ceiling.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Runs scenarios and reads, before and after each, the CPU time of the load generator and of every measured
 * process, and the bytes `runs` read (a request that reaches it is bytes read: none, for a refusal at the
 * gateway). Each scenario's clients send from an address block of their own, so no scenario inherits another's
 * rate-limit counts.
 */
class Bench {
  private nextAddressBlock = 1;

  constructor(private readonly processes: () => [string, number][]) {}

  async each(scenarios: Scenario[]): Promise<[string, Measured][]> {
    const results: [string, Measured][] = [];
    for (const scenario of scenarios) results.push(...(await this.together([scenario])));
    return results;
  }

  /** Scenarios at the same time; each one's CPU columns are the processes' time over all their requests. */
  async together(scenarios: Scenario[]): Promise<[string, Measured][]> {
    const options = scenarios.map(({ name: _name, ...scenario }) => ({
      connections: CONNECTIONS,
      addressBlock: this.nextAddressBlock++,
      ...scenario,
    }));
    // Warm-up (JIT, pools, caches); a client over its limit first uses it up.
    await Promise.all(
      options.map((option) =>
        load(
          option.oneClient
            ? { ...option, durationMs: 30_000, stopAtStatus: 429 }
            : { ...option, durationMs: 2_000 },
        ),
      ),
    );
    const before = this.usage();
    const results = await Promise.all(options.map((option) => load({ ...option, durationMs: DURATION_MS })));
    const after = this.usage();
    const requests = results.reduce((sum, result) => sum + result.requests, 0);
    return scenarios.map((scenario, index) => {
      const result = results[index]!;
      const perRequest = (key: string, total: Record<string, number>, from: Record<string, number>) =>
        (total[key]! - from[key]!) / Math.max(1, requests);
      process.stdout.write(
        `${scenario.name}: ${Math.round(result.requestsPerSecond)} req/s, failures ${JSON.stringify(result.failures)}\n`,
      );
      return [
        scenario.name,
        {
          ...result,
          cpuMsPerRequest: Object.fromEntries(
            Object.keys(before.cpuMs).map((name) => [name, perRequest(name, after.cpuMs, before.cpuMs)]),
          ),
          runsBytesReadPerRequest: perRequest('runs', after.bytesRead, before.bytesRead),
        },
      ];
    });
  }

  memory(): Record<string, number> {
    return Object.fromEntries(this.processes().map(([name, pid]) => [name, processTreeUsage(pid).rssBytes]));
  }

  private usage(): { cpuMs: Record<string, number>; bytesRead: Record<string, number> } {
    const { user, system } = process.cpuUsage();
    const measured = this.processes().map(([name, pid]): [string, ReturnType<typeof processTreeUsage>] => [
      name,
      processTreeUsage(pid),
    ]);
    return {
      cpuMs: Object.fromEntries([
        ['load generator', (user + system) / 1e3],
        ...measured.map(([name, usage]) => [name, usage.cpuSeconds * 1000]),
      ]),
      bytesRead: Object.fromEntries(measured.map(([name, usage]) => [name, usage.bytesRead])),
    };
  }
}

async function startServices(
  env: ReturnType<typeof stackEnvironment>,
  extra: Record<string, string> = {},
): Promise<ServiceProcess[]> {
  const started: ServiceProcess[] = [];
  for (const service of SERVICE_NAMES) {
    started.push(
      await ServiceProcess.start({
        name: service,
        entry: resolve(ROOT, `apps/${service}/dist/main.js`),
        env: {
          ...env[service],
          ...extra,
          ...(CPU_PROFILE_DIR
            ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(CPU_PROFILE_DIR)}` }
            : {}),
        },
        // A service that asks callers for a certificate is probed on its plain loopback health port.
        url: `http://127.0.0.1:${env[service].HEALTH_PORT ?? env[service].PORT}`,
        cwd: ROOT,
      }),
    );
  }
  return started;
}

/**
 * How long one argon2id verification takes here, at the parameters `users` runs with: one at a time, and
 * one per core at once (argon2 is memory-hard: hashes running together share the caches and the memory bus,
 * so each takes longer). The most logins these cores can do is their number divided by the second.
 */
async function passwordVerifyMs(cores: number): Promise<{ aloneMs: number; allCoresMs: number }> {
  const hasher = new PasswordHasher({ maxConcurrent: cores });
  const hash = await hasher.hash(CREDENTIALS.password);
  const timed = async (concurrent: number, rounds: number) => {
    const started = performance.now();
    for (let round = 0; round < rounds; round++)
      await Promise.all(Array.from({ length: concurrent }, () => hasher.verify(hash, CREDENTIALS.password)));
    return (performance.now() - started) / rounds;
  };
  return { aloneMs: await timed(1, 20), allCoresMs: await timed(cores, 20) };
}

/** The token with its signature's last characters changed: well formed, signed by no one. */
function forge(token: string): string {
  return `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
}

/** PostgreSQL writes its server's pid on the first line of postmaster.pid in its data directory. */
function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

const CEILING_SERVER = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"items":[],"nextCursor":null}'); }).listen(Number(process.argv[1]), '127.0.0.1');`;

/**
 * What TLS costs a read through the gateway: over keep-alive connections, as clients and the gateway's pool use
 * them (the handshake paid once per connection), and with a new connection for every request (a handshake each
 * time, on the client's side of the gateway; the gateway keeps its pooled connections to runs).
 */
async function tlsComparison(
  bench: Bench,
  gateway: string,
  token: string,
  runId: string,
  ca?: string,
): Promise<[string, Measured][]> {
  const read = { url: `${gateway}/api/runs/${runId}`, headers: { authorization: `Bearer ${token}` }, ca };
  const over = ca ? 'HTTPS, mutual TLS inside' : 'plain HTTP';
  return bench.each([
    { ...read, name: `GET /api/runs/:id, ${over}, keep-alive` },
    { ...read, name: `GET /api/runs/:id, ${over}, a new connection per request`, keepAlive: false },
  ]);
}

/** The stack again, each service with its metrics listener (METRICS_PORT) on. */
function startServicesWithMetrics(env: ReturnType<typeof stackEnvironment>): Promise<ServiceProcess[]> {
  for (const service of SERVICE_NAMES) env[service].METRICS_PORT = String(METRICS_PORTS[service]);
  return startServices(env);
}

/** How often the services send their spans during `npm run bench -- tracing`. */
const TRACING_EXPORT_DELAY_MS = 500;

/** What one read exports: a few requests one at a time, counted by the sink once every batch has been sent. */
async function exportedPerRequest(
  sink: OtlpSink,
  read: { url: string; headers: Record<string, string> },
): Promise<TracingResults['exported']> {
  await sleep(TRACING_EXPORT_DELAY_MS * 3);
  await sink.reset();
  for (let sent = 0; sent < TRACED_SAMPLE; sent++) {
    const response = await fetch(read.url, { headers: read.headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`The traced read answered ${response.status}`);
  }
  await sleep(TRACING_EXPORT_DELAY_MS * 3);
  const { spans, bytes } = await sink.stats();
  return { spansPerRequest: spans / TRACED_SAMPLE, bytesPerRequest: bytes / TRACED_SAMPLE };
}

/** One scrape of a service's metrics, as Prometheus makes it every 15 to 60 s: its size and its time. */
async function scrapeOnce(service: ServiceName): Promise<MetricsResults['scrapes'][number]> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${METRICS_PORTS[service]}/metrics`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`Scraping ${service} failed: ${response.status}`);
  return {
    service,
    bytes: Buffer.byteLength(body),
    series: body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length,
    milliseconds: performance.now() - started,
  };
}

/** One user with 20 runs; returns the user's access token and the id of one of the runs. */
async function seed(gateway: string): Promise<{ token: string; runId: string }> {
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${gateway}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const registered = await post('/api/auth/register', { ...CREDENTIALS, displayName: 'Runner' });
  const login = await post('/api/auth/login', CREDENTIALS);
  if (registered.status !== 201 || login.status !== 200)
    throw new Error(`Seeding failed: register ${registered.status}, login ${login.status}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  let runId = '';
  for (let i = 0; i < 20; i++) {
    const created = await post(
      '/api/runs',
      {
        title: `Run ${i}`,
        distanceMeters: 5000 + i,
        durationSeconds: 1500,
        startedAt: new Date(Date.now() - i * 86_400_000).toISOString(),
      },
      accessToken,
    );
    if (created.status !== 201) throw new Error(`Seeding failed: run ${i} ${created.status}`);
    runId = ((await created.json()) as { id: string }).id;
  }
  return { token: accessToken, runId };
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (
      await fetch(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  if (error instanceof Error && error.cause !== undefined)
    process.stderr.write(`Cause: ${String(error.cause)}\n`);
  process.exit(1);
});
