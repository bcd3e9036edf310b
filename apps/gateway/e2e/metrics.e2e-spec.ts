import { randomUUID } from 'node:crypto';
import { AuditEvent } from '@runnerly/security';
import { ScrapedMetrics } from '@runnerly/security/testing';
import { freePort } from '@runnerly/testing';
import { GatewayTestApp } from './support/gateway-test-app';

let gateway: GatewayTestApp;
let metricsPort: number;

beforeAll(async () => {
  metricsPort = await freePort();
  gateway = await GatewayTestApp.start({ METRICS_PORT: String(metricsPort) });
}, 60_000);

afterAll(() => gateway?.close());

const refusedTokens = (metrics: ScrapedMetrics, reason: string) =>
  metrics.value('runnerly_security_events_total', {
    service: 'gateway',
    event: AuditEvent.TokenRejected,
    reason,
  });

describe('the metrics of the gateway', () => {
  it.each([['/metrics'], ['/api/metrics'], ['/api/users/metrics'], ['/api/runs/metrics']])(
    'never serves them on its public port, nor routes %s to a service',
    async (path) => {
      const response = await gateway.fetch(path, { token: gateway.tokens.user() });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(await response.text()).not.toContain('runnerly_http_requests_total');
      expect(
        [...gateway.users.requests, ...gateway.runs.requests].filter((r) => r.url.endsWith('/metrics')),
      ).toEqual([]);
    },
  );

  it('serves GET /metrics on the metrics port, in the text exposition format', async () => {
    const metrics = await ScrapedMetrics.from(metricsPort);
    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metrics.labelValues('process_cpu_seconds_total', 'service')).toEqual(new Set(['gateway']));
  });

  it.each([['/'], ['/metrics/'], ['/metrics?format=json'], ['/health/live'], ['/api/runs']])(
    'answers 404 to %s on the metrics port',
    async (path) => {
      expect((await ScrapedMetrics.from(metricsPort, path)).status).toBe(404);
    },
  );

  it('answers 404 to a POST /metrics on the metrics port', async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' });
    expect(response.status).toBe(404);
  });

  it('counts a refused token and labels the request with the route template, not the run id', async () => {
    const runId = randomUUID();
    const response = await gateway.fetch(`/api/runs/${runId}`, { token: gateway.tokens.expired() });
    expect(response.status).toBe(401);

    const metrics = await ScrapedMetrics.from(metricsPort);
    expect(refusedTokens(metrics, 'expired')).toBe(1);
    expect(
      metrics.value('runnerly_http_requests_total', {
        service: 'gateway',
        method: 'GET',
        route: '/api/runs/:id',
        status_code: '401',
      }),
    ).toBe(1);
    expect(metrics.text).not.toContain(runId);
  });

  it('counts an Authorization header without a bearer token as auth.token.rejected with reason missing', async () => {
    const response = await gateway.fetch('/api/runs', {
      headers: { authorization: 'Basic not-a-bearer-token' },
    });
    expect(response.status).toBe(401);
    const metrics = await ScrapedMetrics.from(metricsPort);
    expect(refusedTokens(metrics, 'missing')).toBe(1);
  });
});
