import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  /** Answers other than the expected ones, by status (0: no answer). */
  failures: Record<number, number>;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  /** Requests in flight at once. */
  connections: number;
  durationMs: number;
  /** The status every answer should have; default: any 2xx. A scenario of refusals expects its 401 or 429. */
  expectStatus?: number;
}

/**
 * A closed-loop load generator: `connections` clients, each sending its next request as soon as the
 * previous one is answered, over keep-alive connections, for `durationMs`. Each client sends from an
 * address of its own on loopback (127.0.1.10, .11, …), so rate limits see distinct clients, as in real
 * traffic, rather than one client making every request. Unexpected answers count as
 * errors (a read benchmark that measures 429s or 401s measures nothing).
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.url);
  const latencies: number[] = [];
  const failures: Record<number, number> = {};
  const fail = (status: number) => (failures[status] = (failures[status] ?? 0) + 1);
  const expected = (status: number) =>
    options.expectStatus === undefined ? status >= 200 && status < 300 : status === options.expectStatus;
  const deadline = Date.now() + options.durationMs;

  const once = (localAddress: string) =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const sent = request(
        {
          agent,
          localAddress,
          hostname: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          headers: options.headers,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (!expected(response.statusCode ?? 0)) fail(response.statusCode ?? 0);
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            resolve();
          });
        },
      );
      sent.on('error', () => {
        fail(0);
        resolve();
      });
      sent.end();
    });

  const client = async (index: number) => {
    while (Date.now() < deadline) await once(`127.0.${1 + Math.floor(index / 200)}.${10 + (index % 200)}`);
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: options.connections }, (_, index) => client(index)));
  const elapsedSeconds = (Date.now() - started) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const at = (quantile: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? 0;
  const errors = Object.values(failures).reduce((sum, count) => sum + count, 0);
  return {
    requests: latencies.length,
    errors,
    failures,
    requestsPerSecond: latencies.length / elapsedSeconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}
