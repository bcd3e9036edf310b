import { execFileSync } from 'node:child_process';
import { OtlpReceiver, type ReceivedSpan, SPAN_KIND } from '@runnerly/dev-infra';
import {
  type Account,
  describeWithRedis,
  eventually,
  GatewayClient,
  WORKSPACE_ROOT,
} from '@runnerly/testing';
import { Stack } from './support/stack';

/** Recognisable values: if any of them shows up in a span attribute, a span carries what it must not. */
const PASSWORD = 'Recognisable Tracing Passphrase 4Tx!';
const QUERY_VALUE = 'recognisable-query-value-Zq83Kd';
/** A `traceparent` a client sends: the public gateway must not continue it. */
const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describeWithRedis('distributed tracing across the stack (OpenTelemetry, OTLP)', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;
  let api: GatewayClient;
  let ada: Account;
  let created: { status: number; requestId: string };
  let loggedIn: { status: number; requestId: string };

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
    stack = await Stack.start({
      withRedis: true,
      // users holds its spans until it stops: they reach the collector only if shutdown sends them.
      extra: { gateway: tracing, users: { ...tracing, OTEL_BSP_SCHEDULE_DELAY: '600000' }, runs: tracing },
    });
    api = new GatewayClient(stack.gatewayUrl);
    ada = await api.signUp('tracy', PASSWORD);
    // A write that reaches runs and its database, carrying a client's trace context and a query string.
    const run = await api.call('POST', `/api/runs?marker=${QUERY_VALUE}`, {
      token: ada.accessToken,
      headers: { traceparent: `00-${CLIENT_TRACE_ID}-00f067aa0ba902b7-01` },
      json: {
        title: 'Traced tempo',
        distanceMeters: 5000,
        durationSeconds: 1500,
        startedAt: new Date().toISOString(),
      },
    });
    created = { status: run.status, requestId: run.headers.get('x-request-id')! };
    // A login that reaches users with a password in its body and a value in its query string.
    const login = await api.call('POST', `/api/auth/login?marker=${QUERY_VALUE}`, {
      json: { email: ada.email, password: PASSWORD },
    });
    loggedIn = { status: login.status, requestId: login.headers.get('x-request-id')! };
    await stack.stopService('users');
    await eventually(() => {
      expect(traceOf(created.requestId, 'runs')).toBeDefined();
      expect(traceOf(loggedIn.requestId, 'users')).toBeDefined();
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  /** The trace id that the service's access-log line for this request names (undefined while none). */
  function loggedTraceId(requestId: string, service: string): string | undefined {
    const line = stack.logs[service]?.find(
      (entry) => entry.requestId === requestId && entry.msg === 'request completed',
    );
    return line?.traceId as string | undefined;
  }

  function traceOf(requestId: string, service: string): ReceivedSpan[] | undefined {
    const traceId = loggedTraceId(requestId, service);
    const spans = traceId === undefined ? [] : receiver.trace(traceId);
    const hasDatabase = spans.some(
      (span) => span.service === service && span.attributes['db.system.name'] === 'postgresql',
    );
    return hasDatabase && spans.some((span) => span.service === 'gateway') ? spans : undefined;
  }

  it('answers as without tracing', () => {
    expect(created.status).toBe(201);
    expect(loggedIn.status).toBe(200);
  });

  it('follows one request in one trace: the gateway, then runs, then its PostgreSQL queries', () => {
    const spans = traceOf(created.requestId, 'runs')!;
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const ancestorsOf = (span: ReceivedSpan): ReceivedSpan[] => {
      const parent = byId.get(span.parentSpanId);
      return parent ? [parent, ...ancestorsOf(parent)] : [];
    };
    const runsServer = spans.find((span) => span.service === 'runs' && span.kind === SPAN_KIND.SERVER)!;
    const insert = spans.find(
      (span) =>
        span.service === 'runs' &&
        span.attributes['db.system.name'] === 'postgresql' &&
        String(span.attributes['db.query.text']).startsWith('INSERT INTO "runs"'),
    )!;

    expect(runsServer.attributes['http.route']).toBe('/runs');
    // The traceparent the gateway's proxy call sent is the one runs continued: that call is its parent ...
    expect(byId.get(runsServer.parentSpanId)).toMatchObject({ service: 'gateway', kind: SPAN_KIND.CLIENT });
    // ... under the gateway's own server span, the root of the trace.
    expect(ancestorsOf(runsServer).at(-1)).toMatchObject({
      service: 'gateway',
      kind: SPAN_KIND.SERVER,
      parentSpanId: '',
    });
    // The query runs inside the request, as prepared: its values are bound, not written into the text.
    expect(ancestorsOf(insert)).toContain(runsServer);
    expect(insert.attributes['db.query.text']).toContain('$1');
    expect(insert.attributes['db.query.text']).not.toContain('Traced tempo');
  });

  it("starts its own trace at the gateway instead of continuing a client's traceparent", () => {
    expect(receiver.trace(CLIENT_TRACE_ID)).toEqual([]);
    expect(loggedTraceId(created.requestId, 'gateway')).not.toBe(CLIENT_TRACE_ID);
  });

  it("writes the trace id and span id in every service's log lines for the request, beside the request id", () => {
    const traceId = loggedTraceId(created.requestId, 'runs');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const service of ['gateway', 'runs']) {
      const lines = stack.logs[service]!.filter((line) => line.requestId === created.requestId);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines)
        expect(line).toMatchObject({ traceId, spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    }
  });

  it('traces users too, through its Redis commands and database, and sends its spans as it stops', () => {
    const spans = traceOf(loggedIn.requestId, 'users')!;
    expect(spans.filter((span) => span.service === 'users' && span.kind === SPAN_KIND.SERVER)).toHaveLength(
      1,
    );
    expect(
      spans.some(
        (span) => span.attributes['db.system.name'] === 'redis' || span.attributes['db.system'] === 'redis',
      ),
    ).toBe(true);
  });

  it('puts no token, password or query parameter value in any attribute of any span', () => {
    const attributes = JSON.stringify(receiver.spans.map((span) => span.attributes));
    const forbidden = {
      'the access token': ada.accessToken,
      "the access token's signature": ada.accessToken.split('.').at(-1)!,
      'the refresh token': ada.refreshToken,
      'the password': PASSWORD,
      'a query parameter value': QUERY_VALUE,
    };
    expect(receiver.spans.length).toBeGreaterThan(10);
    expect(
      Object.entries(forbidden)
        .filter(([, value]) => attributes.includes(value))
        .map(([name]) => name),
    ).toEqual([]);
    // What stays: which parameters a request had, not what they said.
    expect(attributes).toContain('marker=[REDACTED]');
  });
});

describe('a service without a collector configured', () => {
  /** What a service's main does first, in the built code: start tracing, then report what it loaded. */
  function startTracingIn(env: Record<string, string>): { on: boolean; loaded: string[] } {
    const script = `require('@runnerly/platform/tracing')
      .startTracing('runs', { trustIncomingTraceContext: true })
      .then((on) => process.stdout.write(JSON.stringify({
        on,
        loaded: Object.keys(require.cache).filter((file) => file.includes('@opentelemetry')),
      })));`;
    const output = execFileSync(process.execPath, ['-e', script], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH!, ...env },
      encoding: 'utf8',
    });
    return JSON.parse(output) as { on: boolean; loaded: string[] };
  }

  it('loads no OpenTelemetry module at all, so that no request pays for tracing', () => {
    expect(startTracingIn({ OTEL_SERVICE_NAME: 'runs' })).toEqual({ on: false, loaded: [] });
  });

  it('loads the SDK once an endpoint is set', () => {
    const started = startTracingIn({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(started.on).toBe(true);
    expect(started.loaded.length).toBeGreaterThan(10);
  });
});
