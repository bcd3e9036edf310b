import { createPrettyFormatter, toJsonLine, toLogRecord } from './log-record.formatter';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const ACCESS_LINE =
  '{"level":"info","time":"2026-11-23T10:00:01.000Z","service":"gateway","requestId":"r-1",' +
  '"req":{"method":"GET","url":"/api/runs","ip":"127.0.0.1"},"res":{"statusCode":200},"responseTime":4,' +
  '"msg":"request completed"}';

describe('toJsonLine', () => {
  it('passes a service JSON line on byte for byte', () => {
    expect(toJsonLine('gateway', ACCESS_LINE, 'stdout', NOW)).toBe(ACCESS_LINE);
  });

  it('adds the service to a JSON line that lacks it (a service that failed before its logger existed)', () => {
    const line = '{"time":"2026-11-23T10:00:01.000Z","level":"fatal","msg":"Refusing to start"}';
    expect(JSON.parse(toJsonLine('users', line, 'stderr', NOW))).toEqual({
      time: '2026-11-23T10:00:01.000Z',
      level: 'fatal',
      msg: 'Refusing to start',
      service: 'users',
    });
  });

  it.each([
    ['stdout', 'info'],
    ['stderr', 'error'],
  ] as const)('wraps a plain text line from %s into a record at level %s', (stream, level) => {
    expect(JSON.parse(toJsonLine('runs', '    at Module._compile (node:internal)', stream, NOW))).toEqual({
      level,
      time: NOW.toISOString(),
      service: 'runs',
      msg: '    at Module._compile (node:internal)',
    });
  });

  it('strips the colour codes of a plain text line', () => {
    const line =
      '\u001b[32m[Nest] 42  - \u001b[39m\u001b[31m  ERROR\u001b[39m Unable to connect to the database';
    expect(JSON.parse(toJsonLine('users', line, 'stderr', NOW)).msg).toBe(
      '[Nest] 42  -   ERROR Unable to connect to the database',
    );
  });

  it.each(['[1,2]', '{"unterminated', 'null', '42'])(
    'treats %s, which is no JSON object, as text',
    (line) => {
      expect(toLogRecord('users', line, 'stdout', NOW)).toEqual({
        record: { level: 'info', time: NOW.toISOString(), service: 'users', msg: line },
        unchanged: false,
      });
    },
  );
});

describe('createPrettyFormatter', () => {
  const format = createPrettyFormatter({ colorize: false });

  it('shows the service on each line, then the context and the message', () => {
    const line = format({
      level: 'info',
      time: '2026-11-23T10:00:01.000Z',
      service: 'users',
      context: 'NestApplication',
      msg: 'Nest application successfully started',
    });
    expect(line).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[users\] \(NestApplication\) Nest application successfully started$/,
    );
  });

  it('reads an access-log line as method, path, status and duration, keeping the request id', () => {
    const line = format(JSON.parse(ACCESS_LINE));
    expect(line).toMatch(/INFO: \[gateway\] GET \/api\/runs 200 \(4 ms\) \{"requestId":"r-1"\}$/);
  });

  it('writes no colour codes when colours are off, and some when they are on', () => {
    const record = { level: 'warn', time: NOW.toISOString(), service: 'runs', msg: 'slow' };
    expect(format(record)).not.toContain('\u001b[');
    expect(createPrettyFormatter({ colorize: true })(record)).toContain('\u001b[');
  });
});
