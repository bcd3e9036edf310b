import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { type BackupRoundTrip } from './backup-round-trip';
import { type LimiterMemory } from './limiter-memory';
import { type LoadResult } from './load';

const RESULTS = resolve(__dirname, '../../../tools/bench/results');

export interface Measured extends LoadResult {
  /** CPU milliseconds per request in each process (PostgreSQL: the server and all its backends). */
  cpuMsPerRequest: Record<string, number>;
  /** Bytes `runs` read per request: none for a request refused before it. */
  runsBytesReadPerRequest: number;
}

export interface Results {
  connections: number;
  durationMs: number;
  /** Closed loop: the most each path serves. The first and the last are the node:http ceiling. */
  closedLoop: [string, Measured][];
  /** Open loop at half of S2's most: S1 then S2, for the latency the gateway adds. */
  steady: [string, Measured][];
  login: {
    /** One argon2id verification, alone and with one on every core at once. */
    hashMs: { aloneMs: number; allCoresMs: number };
    cores: number;
    alone: [string, Measured];
    /** Login saturated and, beside it, S2 at the steady rate. */
    together: [string, Measured][];
  };
  withRedis: [string, Measured][];
  limiter: { memory: LimiterMemory[]; redis: LimiterMemory[] };
  memoryBytes: { idle: Record<string, number>; afterLoad: Record<string, number> };
}

/** Writes tools/bench/results/latest.md for readers and latest.json for tools, and prints the first. */
export function writeResults(results: Results): void {
  const markdown = [
    `# Benchmark results`,
    '',
    `Measured ${new Date().toISOString()} on ${machine()}, by \`npm run bench\` (tools/bench): ${results.durationMs / 1000} s per scenario after a warm-up, the load generator on the same machine, ${results.connections} keep-alive clients. Services in production mode with LOG_LEVEL=warn, embedded PostgreSQL 17, a general rate limit of 5,000 requests a minute per client. What each figure means: docs/performance.md.`,
    '',
    ...throughputSection(results),
    ...steadySection(results),
    ...loginSection(results),
    ...cpuSection(results),
    ...memorySection(results),
  ].join('\n');
  write('latest', markdown, { machine: machine(), ...results });
}

function machine(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} CPUs, Node ${process.version}`;
}

function write(name: string, markdown: string, json: object): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${name}.md`), markdown);
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\nWritten to ${join(RESULTS, `${name}.md`)}\n`);
}

/** `npm run bench -- backup`: writes tools/bench/results/backup.md and backup.json, and prints the first. */
export function writeBackupResults(backup: BackupRoundTrip): void {
  const seconds = (value: number) => (value / 1000).toFixed(1);
  const rate = (value: number) => mb((backup.databaseBytes / value) * 1000, 1);
  const markdown = [
    '# Backup round trip',
    '',
    `Measured ${new Date().toISOString()} on ${machine()}, by \`npm run bench -- backup\` (tools/bench): the runs database of the bench's stack filled with ${backup.rows.toLocaleString('en')} runs, ${mb(backup.databaseBytes)} MB on disk with its indexes; the backup is ${mb(backup.backupBytes)} MB encrypted. What each figure means: docs/performance.md.`,
    '',
    '| step | seconds | MB of database a second |',
    '| --- | ---: | ---: |',
    `| backup: dump in one snapshot, seal | ${seconds(backup.backupMs)} | ${rate(backup.backupMs)} |`,
    `| verify: open every frame | ${seconds(backup.verifyMs)} | ${rate(backup.verifyMs)} |`,
    `| restore: verify again, then replace every row in one transaction | ${seconds(backup.restoreMs)} | ${rate(backup.restoreMs)} |`,
    '',
  ].join('\n');
  write('backup', markdown, { machine: machine(), ...backup });
}

function throughputSection({ closedLoop, withRedis }: Results): string[] {
  const ceiling = (closedLoop[0]![1].requestsPerSecond + closedLoop.at(-1)![1].requestsPerSecond) / 2;
  return [
    '## Throughput: each client sends its next request when the last is answered',
    '',
    '| scenario | requests/s | ratio to the mean ceiling | p50 ms | p99 ms | errors | bytes runs read per request |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[...closedLoop, ...withRedis].map(
      ([name, r]) =>
        `| ${name} | ${Math.round(r.requestsPerSecond)} | ${(r.requestsPerSecond / ceiling).toFixed(2)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${r.errors} | ${Math.round(r.runsBytesReadPerRequest)} |`,
    ),
    '',
  ];
}

function steadySection({ steady }: Results): string[] {
  const [alone, proxied] = steady.map(([, r]) => r);
  return [
    '## Latency at a steady rate: requests sent on schedule, at half the most S2 serves',
    '',
    '| scenario | requests/s | p50 ms | p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...steady.map(
      ([name, r]) =>
        `| ${name} | ${Math.round(r.requestsPerSecond)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${r.errors} |`,
    ),
    '',
    `The gateway adds ${ms(proxied!.p50Ms - alone!.p50Ms)} ms at p50 and ${ms(proxied!.p99Ms - alone!.p99Ms)} ms at p99.`,
    '',
  ];
}

function loginSection({ login, steady }: Results): string[] {
  const bound = (login.cores * 1000) / login.hashMs.allCoresMs;
  const [, alone] = login.alone;
  const [[, loginBeside], [, reads]] = login.together as [[string, Measured], [string, Measured]];
  const readsAlone = steady[1]![1];
  return [
    '## Login at saturation, and reads beside it',
    '',
    `One argon2id verification takes ${ms(login.hashMs.aloneMs)} ms here alone and ${ms(login.hashMs.allCoresMs)} ms with one on each of the ${login.cores} cores, so they can verify at most ${Math.round(bound)} passwords a second (${Math.round((login.cores * 1000) / login.hashMs.aloneMs)} at the time of one alone).`,
    '',
    '| scenario | requests/s | ratio to the hash bound | p50 ms | p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...[login.alone, ...login.together].map(
      ([name, r]) =>
        `| ${name} | ${Math.round(r.requestsPerSecond)} | ${name.startsWith('S4') ? (r.requestsPerSecond / bound).toFixed(2) : ''} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${r.errors} |`,
    ),
    '',
    `Logins alone: ${Math.round(alone.requestsPerSecond)}/s; beside reads: ${Math.round(loginBeside.requestsPerSecond)}/s. Reads' p99 while login is saturated: ${ms(reads.p99Ms)} ms, against ${ms(readsAlone.p99Ms)} ms without (${(reads.p99Ms / readsAlone.p99Ms).toFixed(1)}x).`,
    '',
  ];
}

function cpuSection(results: Results): string[] {
  const all = [
    ...results.closedLoop,
    ...results.steady,
    results.login.alone,
    ...results.login.together,
    ...results.withRedis,
  ];
  const processes = Object.keys(all[0]![1].cpuMsPerRequest);
  return [
    '## CPU time per request, in milliseconds, by process',
    '',
    `| scenario | ${processes.join(' | ')} |`,
    `| --- | ${processes.map(() => '---:').join(' | ')} |`,
    ...all.map(
      ([name, r]) => `| ${name} | ${processes.map((p) => r.cpuMsPerRequest[p]!.toFixed(3)).join(' | ')} |`,
    ),
    '',
  ];
}

function memorySection({ memoryBytes, limiter }: Results): string[] {
  return [
    '## Memory',
    '',
    '| process | resident MB, idle after start | resident MB, after the scenarios |',
    '| --- | ---: | ---: |',
    ...Object.keys(memoryBytes.idle).map(
      (name) => `| ${name} | ${mb(memoryBytes.idle[name]!)} | ${mb(memoryBytes.afterLoad[name]!)} |`,
    ),
    '',
    '| rate-limit counters | distinct clients | records held | memory MB | bytes per record |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...[
      ...limiter.memory.map((m): [string, LimiterMemory] => ['in memory (heap)', m]),
      ...limiter.redis.map((m): [string, LimiterMemory] => ['Redis (used_memory)', m]),
    ].map(
      ([where, m]) =>
        `| ${where} | ${m.clients} | ${m.records} | ${mb(m.bytes, 1)} | ${Math.round(m.bytes / Math.max(1, m.records))} |`,
    ),
    '',
  ];
}

const ms = (value: number) => value.toFixed(2);
const mb = (bytes: number, digits = 0) => (bytes / 1_048_576).toFixed(digits);

export interface TlsResults {
  connections: number;
  durationMs: number;
  /** Keep-alive, then a new connection per request: over plain HTTP, then with TLS on every hop. */
  plain: [string, Measured][];
  secured: [string, Measured][];
}

/** CPU milliseconds per request in every process together. */
const allCpu = (measured: Measured) =>
  Object.values(measured.cpuMsPerRequest).reduce((sum, milliseconds) => sum + milliseconds, 0);

/** The table of a before/after comparison (the cost of TLS, of metrics): a header and one row per scenario. */
function comparisonTable(rows: [string, Measured][]): string[] {
  const row = ([name, measured]: [string, Measured]) =>
    `| ${name} | ${Math.round(measured.requestsPerSecond)} | ${measured.p50Ms.toFixed(2)} | ${measured.p99Ms.toFixed(2)} | ${measured.cpuMsPerRequest.gateway!.toFixed(3)} | ${measured.cpuMsPerRequest.runs!.toFixed(3)} | ${allCpu(measured).toFixed(3)} | ${measured.errors} |`;
  return [
    '| scenario | req/s | p50 ms | p99 ms | gateway CPU ms | runs CPU ms | all CPU ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(row),
  ];
}

/** What `after` costs per request more than `before`: CPU of every process, and the median latency. */
function costPerRequest([, before]: [string, Measured], [, after]: [string, Measured]): string {
  return `${(allCpu(after) - allCpu(before)).toFixed(3)} ms of CPU (${Math.round((allCpu(after) / allCpu(before) - 1) * 100)} %), p50 ${(after.p50Ms - before.p50Ms).toFixed(2)} ms`;
}

/** `npm run bench -- tls`: writes tools/bench/results/tls.md and tls.json, and prints the first. */
export function writeTlsResults(results: TlsResults): void {
  const cost = (index: number) => costPerRequest(results.plain[index]!, results.secured[index]!);
  const markdown = [
    '# The cost of TLS',
    '',
    `Measured ${new Date().toISOString()} on ${machine()}, by \`npm run bench -- tls\` (tools/bench): the same authenticated read through the gateway, first over plain HTTP, then with the stack restarted with TLS 1.3 on every hop between its processes, as compose runs it: HTTPS from the load generator to the gateway, mutual TLS from the gateway to runs and to users (JWKS), a certificate of one private CA each (ECDSA P-256). PostgreSQL stays on loopback in both. ${results.connections} clients, ${results.durationMs / 1000} s per row after a warm-up. CPU: milliseconds per request in every process together (load generator, gateway, users, runs, PostgreSQL). What each figure means: docs/performance.md.`,
    '',
    ...comparisonTable([...results.plain, ...results.secured]),
    '',
    `TLS per request, keep-alive: ${cost(0)}.`,
    `TLS per request with a new connection (a full handshake) each time: ${cost(1)}.`,
    '',
  ].join('\n');
  write('tls', markdown, { machine: machine(), ...results });
}

export interface MetricsResults {
  connections: number;
  durationMs: number;
  /** The same read without METRICS_PORT (no metrics module at all), then with it. */
  off: [string, Measured];
  on: [string, Measured];
  /** One scrape of each service after the measurement: its size and how long it took. */
  scrapes: { service: string; bytes: number; series: number; milliseconds: number }[];
}

/** `npm run bench -- metrics`: writes tools/bench/results/metrics.md and metrics.json, and prints the first. */
export function writeMetricsResults(results: MetricsResults): void {
  const markdown = [
    '# The cost of metrics',
    '',
    `Measured ${new Date().toISOString()} on ${machine()}, by \`npm run bench -- metrics\` (tools/bench): the same authenticated read through the gateway, first with the services started without METRICS_PORT (no metrics module, nothing counted), then restarted with it (every request counted and timed in the gateway and in runs, every audit event counted). ${results.connections} clients, ${results.durationMs / 1000} s per row after a warm-up. CPU: milliseconds per request in every process together (load generator, gateway, users, runs, PostgreSQL). What each figure means: docs/performance.md.`,
    '',
    ...comparisonTable([results.off, results.on]),
    '',
    `Metrics per request: ${costPerRequest(results.off, results.on)}.`,
    '',
    '| scrape of GET /metrics | bytes | series | ms |',
    '| --- | ---: | ---: | ---: |',
    ...results.scrapes.map(
      ({ service, bytes, series, milliseconds }) =>
        `| ${service} | ${bytes} | ${series} | ${milliseconds.toFixed(1)} |`,
    ),
    '',
  ].join('\n');
  write('metrics', markdown, { machine: machine(), ...results });
}

export interface TracingResults {
  connections: number;
  durationMs: number;
  /** The same read without any OTEL_* variable (no OpenTelemetry module loaded), then exporting every span. */
  off: [string, Measured];
  on: [string, Measured];
  /** Exporting the spans of one request in ten (OTEL_TRACES_SAMPLER=parentbased_traceidratio). */
  sampled: [string, Measured];
  /** Spans and OTLP/JSON bytes one read sends to the collector, counted over a few reads one at a time. */
  exported: { spansPerRequest: number; bytesPerRequest: number };
}

/** `npm run bench -- tracing`: writes tools/bench/results/tracing.md and tracing.json, and prints the first. */
export function writeTracingResults(results: TracingResults): void {
  const markdown = [
    '# The cost of tracing',
    '',
    `Measured ${new Date().toISOString()} on ${machine()}, by \`npm run bench -- tracing\` (tools/bench): the same authenticated read through the gateway, first with the services started without any OTEL_* variable (no OpenTelemetry module loaded), then restarted with OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP sink in a process of its own (every request traced in the gateway and in runs down to its PostgreSQL query, every span scrubbed and exported in batches every 500 ms; the bench runs without Redis), then again recording one request in ten (OTEL_TRACES_SAMPLER=parentbased_traceidratio, OTEL_TRACES_SAMPLER_ARG=0.1). The sink's own CPU is not counted: a collector runs elsewhere. ${results.connections} clients, ${results.durationMs / 1000} s per row after a warm-up. CPU: milliseconds per request in every process together (load generator, gateway, users, runs, PostgreSQL). What each figure means: docs/performance.md.`,
    '',
    ...comparisonTable([results.off, results.on, results.sampled]),
    '',
    `Tracing per request, every request traced: ${costPerRequest(results.off, results.on)}.`,
    `Tracing per request, one in ten traced: ${costPerRequest(results.off, results.sampled)}.`,
    '',
    `Exported per request: ${results.exported.spansPerRequest.toFixed(1)} spans, ${Math.round(results.exported.bytesPerRequest)} bytes of OTLP/JSON.`,
    '',
  ].join('\n');
  write('tracing', markdown, { machine: machine(), ...results });
}
