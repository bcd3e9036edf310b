import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  EmbeddedPostgresServer,
  provisionStackDatabases,
  ServiceProcess,
  stackEnvironment,
} from '@runnerly/dev-infra';
import { SERVICE_NAMES, type ServiceName } from '@runnerly/platform';
import { generateSecret } from '@runnerly/security';
import { load, type LoadResult } from './load';
import { processTreeUsage } from './process-usage';

const ROOT = resolve(__dirname, '../../..');
const RESULTS = resolve(ROOT, 'tools/bench/results');
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** A folder to write each service's CPU profile to (node --cpu-prof), for finding where the time goes. */
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF;
const CEILING_PORT = 39_100;
const POSTGRES_PORT = 39_099;
/** Each service of the manifest on its own port, from 39101 up. */
const PORTS = Object.fromEntries(SERVICE_NAMES.map((name, index) => [name, 39_101 + index])) as Record<
  ServiceName,
  number
>;

interface Scenario {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** Refusals measured on purpose expect their status; reads expect a 2xx. */
  expectStatus?: number;
}

interface Measured extends LoadResult {
  /** CPU milliseconds per request in each process (PostgreSQL: the server and all its backends). */
  cpuMsPerRequest: Record<string, number>;
}

/**
 * On one machine, in one run, the same small JSON reads measured against raw node:http (the ceiling): `runs`
 * alone (token verification + PostgreSQL), through the gateway (token pre-check, rate limit, proxy), refusals
 * at the gateway, and health checks. For each: throughput, its ratio to the ceiling, p50/p99, and the CPU time
 * every process spent per request, so a reader sees where the time goes. Written to tools/bench/results/.
 */
async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'runnerly-bench-'));
  const ceiling = spawn(process.execPath, ['-e', CEILING_SERVER, String(CEILING_PORT)], { stdio: 'ignore' });
  const postgres = new EmbeddedPostgresServer({ dataDir: join(work, 'postgres'), port: POSTGRES_PORT });
  const services: ServiceProcess[] = [];
  try {
    const databases = await provisionStackDatabases(await postgres.start(), () => generateSecret());
    const env = stackEnvironment({
      host: '127.0.0.1',
      ports: PORTS,
      databases,
      nodeEnv: 'production',
      extra: Object.fromEntries(
        SERVICE_NAMES.map((service) => [service, { ...UNLIMITED, LOG_LEVEL: 'warn' }]),
      ),
    });
    env.users.JWT_PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const service of SERVICE_NAMES) {
      services.push(
        await ServiceProcess.start({
          name: service,
          entry: resolve(ROOT, `apps/${service}/dist/main.js`),
          env: CPU_PROFILE_DIR
            ? { ...env[service], NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(CPU_PROFILE_DIR)}` }
            : env[service],
          url: `http://127.0.0.1:${env[service].PORT}`,
          cwd: ROOT,
        }),
      );
    }
    const { token, runId } = await seed(`http://127.0.0.1:${PORTS.gateway}`);
    const auth = { authorization: `Bearer ${token}` };
    const forged = {
      authorization: `Bearer ${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
    };
    await waitForPort(CEILING_PORT);

    const runs = `http://127.0.0.1:${PORTS.runs}`;
    const gateway = `http://127.0.0.1:${PORTS.gateway}`;
    const scenarios: Scenario[] = [
      { name: 'node:http (ceiling)', url: `http://127.0.0.1:${CEILING_PORT}/runs` },
      { name: 'S1 runs alone: GET /runs/:id', url: `${runs}/runs/${runId}`, headers: auth },
      { name: 'S1 runs alone: GET /runs?limit=10', url: `${runs}/runs?limit=10`, headers: auth },
      { name: 'S2 gateway → runs: GET /api/runs/:id', url: `${gateway}/api/runs/${runId}`, headers: auth },
      {
        name: 'S2 gateway → runs: GET /api/runs?limit=10',
        url: `${gateway}/api/runs?limit=10`,
        headers: auth,
      },
      { name: 'S3 gateway refuses: no token (401)', url: `${gateway}/api/runs?limit=10`, expectStatus: 401 },
      {
        name: 'S3 gateway refuses: forged token (401)',
        url: `${gateway}/api/runs?limit=10`,
        headers: forged,
        expectStatus: 401,
      },
      { name: 'runs alone: GET /health/live', url: `${runs}/health/live` },
      { name: 'gateway: GET /health/live', url: `${gateway}/health/live` },
    ];
    // The processes measured, by name: each service and PostgreSQL (its server and backends).
    const measured = (): [string, number][] => [
      ...services.map((service): [string, number] => [service.name, service.pid]),
      ['postgres', postmasterPid(postgres.dataDir)],
    ];
    const cpuSeconds = (): Record<string, number> => {
      const { user, system } = process.cpuUsage();
      return Object.fromEntries([
        ['load generator', (user + system) / 1e6],
        ...measured().map(([name, pid]) => [name, processTreeUsage(pid).cpuSeconds]),
      ]);
    };
    const memory = () =>
      Object.fromEntries(measured().map(([name, pid]) => [name, processTreeUsage(pid).rssBytes]));
    const idle = memory();

    const results: [string, Measured][] = [];
    for (const { name, url, headers, expectStatus } of scenarios) {
      const options = { url, headers, expectStatus, connections: CONNECTIONS };
      await load({ ...options, durationMs: 2_000 }); // warm-up: JIT, pools, caches
      const before = cpuSeconds();
      const result = await load({ ...options, durationMs: DURATION_MS });
      const after = cpuSeconds();
      const cpuMsPerRequest = Object.fromEntries(
        Object.keys(before).map((processName) => [
          processName,
          ((after[processName]! - before[processName]!) * 1000) / Math.max(1, result.requests),
        ]),
      );
      results.push([name, { ...result, cpuMsPerRequest }]);
      process.stdout.write(
        `${name}: ${Math.round(result.requestsPerSecond)} req/s, failures ${JSON.stringify(result.failures)}\n`,
      );
    }
    writeResults(results, { idle, afterLoad: memory() });
  } finally {
    for (const service of services.reverse()) await service.stop();
    await postgres.stop();
    ceiling.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

/** PostgreSQL writes its server's pid on the first line of postmaster.pid in its data directory. */
function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

const CEILING_SERVER = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"items":[],"nextCursor":null}'); }).listen(Number(process.argv[1]), '127.0.0.1');`;

const UNLIMITED = {
  RATE_LIMIT_GENERAL_LIMIT: '100000000',
  RATE_LIMIT_CREDENTIALS_IP_LIMIT: '100000000',
  RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT: '1000',
  RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT: '100000',
};

/** One user with 20 runs; returns the user's access token and the id of one of the runs. */
async function seed(gateway: string): Promise<{ token: string; runId: string }> {
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${gateway}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const credentials = { email: 'runner@example.com', password: 'measured passphrase 2026' };
  const registered = await post('/api/auth/register', { ...credentials, displayName: 'Runner' });
  const login = await post('/api/auth/login', credentials);
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

function writeResults(
  results: [string, Measured][],
  memory: { idle: Record<string, number>; afterLoad: Record<string, number> },
): void {
  const ceiling = results[0]![1].requestsPerSecond;
  const processes = Object.keys(results[0]![1].cpuMsPerRequest);
  const rows = results.map(
    ([name, r]) =>
      `| ${name} | ${Math.round(r.requestsPerSecond)} | ${(r.requestsPerSecond / ceiling).toFixed(2)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} |`,
  );
  const cpuRows = results.map(
    ([name, r]) => `| ${name} | ${processes.map((p) => r.cpuMsPerRequest[p]!.toFixed(3)).join(' | ')} |`,
  );
  const mb = (bytes: number) => (bytes / 1_048_576).toFixed(0);
  const memoryRows = Object.keys(memory.idle).map(
    (name) => `| ${name} | ${mb(memory.idle[name]!)} | ${mb(memory.afterLoad[name]!)} |`,
  );
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} CPUs, Node ${process.version}`;
  const markdown = [
    `# Benchmark results`,
    '',
    `Measured ${new Date().toISOString()} on ${machine}, by \`npm run bench\` (tools/bench): ${CONNECTIONS} keep-alive connections, ${DURATION_MS / 1000} s per scenario after a 2 s warm-up, the load generator on the same machine. Services in production mode with LOG_LEVEL=warn, embedded PostgreSQL 17, in-memory rate limits set out of the way. What each column means: docs/performance.md.`,
    '',
    '| scenario | requests/s | ratio to ceiling | p50 ms | p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '## CPU time per request, in milliseconds, by process',
    '',
    `| scenario | ${processes.join(' | ')} |`,
    `| --- | ${processes.map(() => '---:').join(' | ')} |`,
    ...cpuRows,
    '',
    '## Resident memory (MB)',
    '',
    '| process | idle, after start | after every scenario |',
    '| --- | ---: | ---: |',
    ...memoryRows,
    '',
  ].join('\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.md'), markdown);
  writeFileSync(
    join(RESULTS, 'latest.json'),
    `${JSON.stringify({ machine, connections: CONNECTIONS, durationMs: DURATION_MS, scenarios: Object.fromEntries(results), memoryBytes: memory }, null, 2)}\n`,
  );
  process.stdout.write(`\n${markdown}\nWritten to ${join(RESULTS, 'latest.md')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
