import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, MaxLength } from 'class-validator';
import { AuditEvent, AuthModule, BaseServiceConfig, ErrorCode, loadConfig, Public } from '@runnerly/security';
import { ScrapedMetrics, startTestApp, TEST_ISSUER, TestKeys } from '@runnerly/security/testing';
import { ServiceFoundationModule } from '../service-foundation.module';
import { MetricsListener } from './metrics-listener';
import { ServiceMetrics } from './service-metrics';

class NoteDto {
  @IsString()
  @MaxLength(10)
  text!: string;
}

@Public()
@Controller('notes')
class NotesController {
  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Post()
  add(@Body() note: NoteDto): NoteDto {
    return note;
  }
}

@Module({ controllers: [NotesController] })
class NotesFeature {}

/**
 * A service made of the foundation alone; with `listen`, its metrics listener on a port the system picks
 * (port 0, which the config refuses: set here after validation).
 */
async function startNotes(
  service: string,
  { listen = true, env = {} }: { listen?: boolean; env?: Record<string, string> } = {},
): Promise<NestFastifyApplication> {
  const config = { ...loadConfig(BaseServiceConfig, env), ...(listen ? { METRICS_PORT: 0 } : {}) };
  @Module({
    imports: [
      ServiceFoundationModule.forRoot({
        service,
        schema: BaseServiceConfig,
        config,
        authentication: AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: TestKeys.generate().ring }),
        features: [NotesFeature],
        logDestination: { write: () => undefined },
      }),
    ],
  })
  class NotesModule {}
  return startTestApp(NotesModule);
}

const metricsPortOf = (app: NestFastifyApplication): number => app.get(MetricsListener).port!;

describe('MetricsModule, through ServiceFoundationModule', () => {
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    app = await startNotes('notes', { env: { RATE_LIMIT_GENERAL_LIMIT: '4' } });
    port = metricsPortOf(app);
  });
  afterAll(() => app.close());

  const series = (labels: Record<string, string>) => ({ service: 'notes', ...labels });

  it('counts an error answer Fastify gives itself (a malformed URL) by its code, as unmatched', async () => {
    expect((await app.inject({ method: 'GET', url: '/notes/%E0%A4%A' })).statusCode).toBe(400);
    const metrics = await ScrapedMetrics.from(port);
    expect(
      metrics.value(
        'runnerly_error_responses_total',
        series({ route: 'unmatched', code: 'REQUEST.MALFORMED' }),
      ),
    ).toBe(1);
  });

  it('counts a validation failure once, by its route template and code', async () => {
    await app.inject({ method: 'POST', url: '/notes', payload: { text: 'far too long a note' } });
    const metrics = await ScrapedMetrics.from(port);
    expect(
      metrics.value(
        'runnerly_error_responses_total',
        series({ route: '/notes', code: ErrorCode.ValidationFailed }),
      ),
    ).toBe(1);
  });

  it('counts a rate-limit rejection as ratelimit.exceeded and as RATE_LIMIT.EXCEEDED on its route', async () => {
    const statuses: number[] = [];
    for (let request = 0; request < 4; request++)
      statuses.push((await app.inject({ method: 'GET', url: `/notes/${request}` })).statusCode);
    expect(statuses.at(-1)).toBe(429);
    const metrics = await ScrapedMetrics.from(port);
    expect(
      metrics.value(
        'runnerly_security_events_total',
        series({ event: AuditEvent.RateLimited, reason: 'none' }),
      ),
    ).toBe(1);
    expect(
      metrics.value(
        'runnerly_error_responses_total',
        series({ route: '/notes/:id', code: ErrorCode.RateLimited }),
      ),
    ).toBe(1);
  });

  it('times every request in the histogram, with the fixed buckets', async () => {
    const metrics = await ScrapedMetrics.from(port);
    const buckets = metrics.samples
      .filter((sample) => sample.name === 'runnerly_http_request_duration_seconds_bucket')
      .filter((sample) => sample.labels.route === '/notes/:id' && sample.labels.status_code === '200')
      .map((sample) => sample.labels.le);
    expect(buckets).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
  });

  it('keeps one registry per application: a second service in the same process counts apart', async () => {
    const other = await startNotes('other');
    const otherPort = metricsPortOf(other);
    try {
      await other.inject({ method: 'GET', url: '/notes/1' });
      const [mine, theirs] = await Promise.all([ScrapedMetrics.from(port), ScrapedMetrics.from(otherPort)]);
      expect(mine.labelValues('runnerly_http_requests_total', 'service')).toEqual(new Set(['notes']));
      expect(theirs.labelValues('runnerly_http_requests_total', 'service')).toEqual(new Set(['other']));
      expect(
        theirs.value('runnerly_http_requests_total', {
          service: 'other',
          method: 'GET',
          route: '/notes/:id',
          status_code: '200',
        }),
      ).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('closes its listener when the application closes', async () => {
    const closing = await startNotes('closing');
    const closingPort = metricsPortOf(closing);
    expect((await ScrapedMetrics.from(closingPort)).status).toBe(200);
    await closing.close();
    await expect(ScrapedMetrics.from(closingPort)).rejects.toThrow();
  });

  it('opens no listener and counts nothing without METRICS_PORT', async () => {
    const quiet = await startNotes('quiet', { listen: false });
    try {
      expect(() => quiet.get(MetricsListener)).toThrow();
      expect(() => quiet.get(ServiceMetrics)).toThrow();
    } finally {
      await quiet.close();
    }
  });
});
