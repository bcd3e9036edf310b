import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

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
  method?: 'GET' | 'POST';
  /** A JSON body, sent with every request. */
  body?: string;
  headers?: Record<string, string>;
  /** Closed loop: clients, each with one request in flight. Open loop: the addresses requests rotate over. */
  connections: number;
  durationMs: number;
  /** The status every answer should have; default: any 2xx. A scenario of refusals expects its 401 or 429. */
  expectStatus?: number;
  /**
   * Open loop: send this many requests a second, on schedule, whether or not earlier ones were answered, and
   * count each latency from the moment its request was due (a slow answer then delays no measurement).
   */
  ratePerSecond?: number;
  /** The clients' addresses are 127.0.<addressBlock>.10, .11, …: a block per scenario keeps limits apart. */
  addressBlock?: number;
  /** Every request from the first address: one client, as a client over its rate limit is. */
  oneClient?: boolean;
  /** Closed loop: stop at the first answer with this status (a client has used up its limit, say). */
  stopAtStatus?: number;
  /** For an https:// URL: the CA certificate (PEM) the server's must chain to. */
  ca?: string;
  /** Default true. False: a new connection (and, over HTTPS, a full handshake) for every request. */
  keepAlive?: boolean;
}

/**
 * A load generator over keep-alive connections, for `durationMs`. Closed loop by default: `connections`
 * clients, each sending its next request as soon as the previous one is answered (the most a service can
 * serve). Open loop with `ratePerSecond` (the latency at a given load). Each client sends from an address of
 * its own on loopback, so rate limits see distinct clients, as in real traffic, rather than one client making
 * every request. Unexpected answers count as errors (a read benchmark that measures 429s or 401s measures
 * nothing).
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const secure = target.protocol === 'https:';
  const agentOptions = {
    keepAlive: options.keepAlive ?? true,
    maxSockets: options.ratePerSecond ? Infinity : options.connections,
  };
  const agent = secure ? new HttpsAgent({ ...agentOptions, ca: options.ca }) : new Agent(agentOptions);
  const send = secure ? httpsRequest : request;
  const latencies: number[] = [];
  const failures: Record<number, number> = {};
  let stopped = false;
  const fail = (status: number) => (failures[status] = (failures[status] ?? 0) + 1);
  const expected = (status: number) =>
    options.expectStatus === undefined ? status >= 200 && status < 300 : status === options.expectStatus;
  const headers = {
    ...options.headers,
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
  };
  const address = (index: number) =>
    options.oneClient
      ? `127.0.${options.addressBlock ?? 1}.10`
      : clientAddress(options.addressBlock ?? 1, index);

  const once = (localAddress: string, due = performance.now()) =>
    new Promise<void>((resolve) => {
      const sent = send(
        {
          agent,
          localAddress,
          method: options.method ?? 'GET',
          hostname: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          headers,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode === options.stopAtStatus) stopped = true;
            if (!expected(response.statusCode ?? 0)) fail(response.statusCode ?? 0);
            latencies.push(performance.now() - due);
            resolve();
          });
        },
      );
      sent.on('error', () => {
        fail(0);
        resolve();
      });
      sent.end(options.body);
    });

  const started = performance.now();
  const deadline = started + options.durationMs;
  if (options.ratePerSecond) {
    const interval = 1000 / options.ratePerSecond;
    const inFlight: Promise<void>[] = [];
    for (let sent = 0; performance.now() < deadline; await sleep(1)) {
      for (; started + sent * interval <= performance.now(); sent++)
        inFlight.push(once(address(sent % options.connections), started + sent * interval));
    }
    await Promise.all(inFlight);
  } else {
    const client = async (index: number) => {
      while (!stopped && performance.now() < deadline) await once(address(index));
    };
    await Promise.all(Array.from({ length: options.connections }, (_, index) => client(index)));
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
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

/** Client `index` of a block: 127.0.<block>.10 and up, 200 to a block. */
function clientAddress(block: number, index: number): string {
  return `127.0.${block + Math.floor(index / 200)}.${10 + (index % 200)}`;
}
