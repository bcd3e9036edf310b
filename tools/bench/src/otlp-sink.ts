import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A collector stand-in in a process of its own, so that what it spends receiving spans is not counted as the
 * services' cost (a real collector runs elsewhere): it accepts OTLP/HTTP JSON on POST /v1/traces, counts the
 * spans and bytes, answers GET /stats with the counts and DELETE /stats by starting them again.
 */
const SINK_SERVER = `
let stats = { exports: 0, spans: 0, bytes: 0 };
require('node:http').createServer((q, s) => {
  if (q.url === '/stats') {
    if (q.method === 'DELETE') stats = { exports: 0, spans: 0, bytes: 0 };
    return s.end(JSON.stringify(stats));
  }
  if (q.method !== 'POST' || q.url !== '/v1/traces') return s.writeHead(404).end();
  const chunks = [];
  q.on('data', (c) => chunks.push(c)).on('end', () => {
    const body = Buffer.concat(chunks);
    const traces = JSON.parse(body.toString('utf8'));
    stats.exports++;
    stats.bytes += body.length;
    for (const r of traces.resourceSpans ?? []) for (const ss of r.scopeSpans ?? []) stats.spans += (ss.spans ?? []).length;
    s.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}).listen(Number(process.argv[1]), '127.0.0.1');`;

export interface SinkStats {
  exports: number;
  spans: number;
  bytes: number;
}

export class OtlpSink {
  private constructor(
    private readonly process: ChildProcess,
    readonly url: string,
  ) {}

  static start(port: number): OtlpSink {
    const child = spawn(process.execPath, ['-e', SINK_SERVER, String(port)], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return new OtlpSink(child, `http://127.0.0.1:${port}`);
  }

  async stats(): Promise<SinkStats> {
    return (await (await fetch(`${this.url}/stats`)).json()) as SinkStats;
  }

  async reset(): Promise<void> {
    await fetch(`${this.url}/stats`, { method: 'DELETE' });
  }

  stop(): void {
    this.process.kill();
  }
}
