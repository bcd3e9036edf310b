import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const ROOT = resolve(__dirname, '../../..');
const RESULTS = resolve(ROOT, 'tools/bench/results');
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const CEILING_PORT = 39_100;
const POSTGRES_PORT = 39_099;
/** Each service of the manifest on its own port, from 39101 up. */
const PORTS = Object.fromEntries(SERVICE_NAMES.map((name, index) => [name, 39_101 + index])) as Record<
  ServiceName,
  number
>;

/**
 * On one machine, in one run, the same small JSON read measured three ways: raw node:http
 * (the ceiling), `runs` alone (token verification + PostgreSQL), and through the gateway (token
 * pre-check + proxy + runs). Ratios to the ceiling and p50/p99 go to tools/bench/results/.
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
          env: env[service],
          url: `http://127.0.0.1:${env[service].PORT}`,
          cwd: ROOT,
        }),
      );
    }
    const token = await seed(`http://127.0.0.1:${PORTS.gateway}`);
    const auth = { authorization: `Bearer ${token}` };
    await waitForPort(CEILING_PORT);

    const scenarios: [string, string, Record<string, string>][] = [
      ['node:http (ceiling)', `http://127.0.0.1:${CEILING_PORT}/runs`, {}],
      ['runs alone: GET /runs?limit=10', `http://127.0.0.1:${PORTS.runs}/runs?limit=10`, auth],
      ['gateway → runs: GET /api/runs?limit=10', `http://127.0.0.1:${PORTS.gateway}/api/runs?limit=10`, auth],
      ['runs alone: GET /health/live', `http://127.0.0.1:${PORTS.runs}/health/live`, {}],
      ['gateway: GET /health/live', `http://127.0.0.1:${PORTS.gateway}/health/live`, {}],
    ];
    const results: [string, LoadResult][] = [];
    for (const [name, url, headers] of scenarios) {
      await load({ url, headers, connections: CONNECTIONS, durationMs: 2_000 }); // warm-up: JIT, pools, caches
      results.push([name, await load({ url, headers, connections: CONNECTIONS, durationMs: DURATION_MS })]);
      const result = results.at(-1)![1];
      process.stdout.write(
        `${name}: ${Math.round(result.requestsPerSecond)} req/s, failures ${JSON.stringify(result.failures)}\n`,
      );
    }
    writeResults(results);
  } finally {
    for (const service of services.reverse()) await service.stop();
    await postgres.stop();
    ceiling.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

const CEILING_SERVER = `require('node:http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"items":[],"nextCursor":null}'); }).listen(Number(process.argv[1]), '127.0.0.1');`;

const UNLIMITED = {
  RATE_LIMIT_GENERAL_LIMIT: '100000000',
  RATE_LIMIT_CREDENTIALS_IP_LIMIT: '100000000',
  RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT: '1000',
  RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT: '100000',
};

/** One user with 20 runs; returns the user's access token. */
async function seed(gateway: string): Promise<string> {
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
  for (let i = 0; i < 20; i++) {
    await post(
      '/api/runs',
      {
        title: `Run ${i}`,
        distanceMeters: 5000 + i,
        durationSeconds: 1500,
        startedAt: new Date(Date.now() - i * 86_400_000).toISOString(),
      },
      accessToken,
    );
  }
  return accessToken;
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

function writeResults(results: [string, LoadResult][]): void {
  const ceiling = results[0]![1].requestsPerSecond;
  const rows = results.map(
    ([name, r]) =>
      `| ${name} | ${Math.round(r.requestsPerSecond)} | ${(r.requestsPerSecond / ceiling).toFixed(2)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} |`,
  );
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} CPUs, Node ${process.version}`;
  const markdown = [
    `# Benchmark results`,
    '',
    `Measured ${new Date().toISOString()} on ${machine}, by \`npm run bench\` (tools/bench): ${CONNECTIONS} keep-alive connections, ${DURATION_MS / 1000} s per scenario after a 2 s warm-up, the load generator on the same machine. Services in production mode with LOG_LEVEL=warn, embedded PostgreSQL 17, in-memory rate limits set out of the way.`,
    '',
    '| scenario | requests/s | ratio to ceiling | p50 ms | p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.md'), markdown);
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(Object.fromEntries(results), null, 2)}\n`);
  process.stdout.write(`\n${markdown}\nWritten to ${join(RESULTS, 'latest.md')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
