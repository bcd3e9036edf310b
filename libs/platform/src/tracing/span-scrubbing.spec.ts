import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { SCRUBBED, ScrubbingSpanProcessor, scrubbedValue } from './span-scrubbing';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl';

describe('scrubbedValue: what a span attribute may keep', () => {
  it.each([
    ['url.full', 'https://runs:3002/runs?from=2026-01-01&token=abc', 'https://runs:3002/runs'],
    ['url.path', '/api/auth/verify?token=abc', '/api/auth/verify'],
    ['http.target', '/api/runs#fragment', '/api/runs'],
    ['url.query', '?from=2026-01-01&token=abc', `from=${SCRUBBED}&token=${SCRUBBED}`],
    ['url.query', '', ''],
    ['http.request.header.authorization', 'Bearer x', SCRUBBED],
    ['http.response.header.set-cookie', 'session=x', SCRUBBED],
    ['app.refresh_token', 'opaque', SCRUBBED],
    ['db.password', 'hunter2', SCRUBBED],
    ['exception.message', `bad token ${JWT} here`, `bad token ${SCRUBBED} here`],
  ])('%s: %j becomes %j', (key, value, expected) => {
    expect(scrubbedValue(key, value)).toBe(expected);
  });

  it.each([
    ['url.path', '/api/runs/42'],
    ['http.route', '/runs/:id'],
    ['db.query.text', 'SELECT * FROM "runs" WHERE "user_id" = $1'],
    ['http.response.status_code', 200],
    ['db.system.name', 'postgresql'],
  ])('leaves %s: %j as it is', (key, value) => {
    expect(scrubbedValue(key, value)).toBe(value);
  });
});

describe('ScrubbingSpanProcessor', () => {
  function tracerWith(processors: SpanProcessor[]) {
    return new TracerProvider({ spanProcessors: processors }).getTracer('test');
  }

  it('scrubs every attribute of an ending span before an exporter sees it', () => {
    const exported = new InMemorySpanExporter();
    const span = tracerWith([
      new ScrubbingSpanProcessor(),
      new SimpleSpanProcessor({ exporter: exported }),
    ]).startSpan('GET');
    span.setAttributes({ 'url.full': 'http://runs/runs?marker=value', 'http.route': '/runs' });
    span.end();

    expect(exported.getFinishedSpans()[0]!.attributes).toEqual({
      'url.full': 'http://runs/runs',
      'http.route': '/runs',
    });
  });

  it('is what removes them: without it, the exporter receives the query value', () => {
    const exported = new InMemorySpanExporter();
    const span = tracerWith([new SimpleSpanProcessor({ exporter: exported })]).startSpan('GET');
    span.setAttribute('url.full', 'http://runs/runs?marker=value');
    span.end();

    expect(exported.getFinishedSpans()[0]!.attributes['url.full']).toContain('marker=value');
  });
});
