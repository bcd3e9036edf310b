import { randomUUID } from 'node:crypto';
import { AuditEvent, ErrorCode } from '@runnerly/security';
import { ScrapedMetrics } from '@runnerly/security/testing';
import { freePort } from '@runnerly/testing';
import { RunsTestService, type TestPerson } from './support/runs-test-service';

let service: RunsTestService;
let metricsPort: number;
let ada: TestPerson;
let bob: TestPerson;

beforeAll(async () => {
  metricsPort = await freePort();
  service = await RunsTestService.start({ METRICS_PORT: String(metricsPort) });
  [ada, bob] = [service.user(), service.user()];
}, 60_000);

afterAll(() => service?.close());

describe('the metrics of runs', () => {
  it("counts a user asking for another user's runs as authz.denied, and the 403 by its route", async () => {
    const response = await service.app.inject({
      method: 'GET',
      url: `/runs?userId=${ada.id}`,
      headers: bob.headers,
    });
    expect(response.statusCode).toBe(403);

    const metrics = await ScrapedMetrics.from(metricsPort);
    expect(
      metrics.value('runnerly_security_events_total', {
        service: 'runs',
        event: AuditEvent.AccessDenied,
        reason: 'none',
      }),
    ).toBe(1);
    expect(
      metrics.value('runnerly_error_responses_total', {
        service: 'runs',
        route: '/runs',
        code: ErrorCode.Forbidden,
      }),
    ).toBe(1);
    expect(metrics.text).not.toContain(ada.id);
  });

  it("labels an ownership probe of another user's run with the route template, not the run's id", async () => {
    const adasRun = await service.createRun(ada);
    const probed = [adasRun.id, randomUUID()];
    for (const id of probed) {
      const response = await service.app.inject({ method: 'GET', url: `/runs/${id}`, headers: bob.headers });
      expect(response.statusCode).toBe(404);
    }

    const metrics = await ScrapedMetrics.from(metricsPort);
    expect(
      metrics.value('runnerly_http_requests_total', {
        service: 'runs',
        method: 'GET',
        route: '/runs/:id',
        status_code: '404',
      }),
    ).toBe(2);
    for (const id of probed) expect(metrics.text).not.toContain(id);
  });
});
