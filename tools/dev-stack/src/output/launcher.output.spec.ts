import { LauncherOutput } from './launcher.output';
import { type StackSummary } from './stack.summary';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const SUMMARY: StackSummary = {
  gateway: {
    url: 'http://localhost:3000',
    docs: 'http://localhost:3000/docs',
    ready: 'http://localhost:3000/health/ready',
  },
  database: { kind: 'embedded', address: '127.0.0.1:54329', dataDir: '.runnerly/postgres' },
  rateLimiting: { store: 'memory' },
  metrics: { users: 'http://127.0.0.1:9101/metrics' },
  mail: { smtp: 'smtp://127.0.0.1:1025', mails: 'http://127.0.0.1:8025/mails' },
  startedInMs: 5_000,
};

function capture(format: 'json' | 'pretty') {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output = new LauncherOutput({
    format,
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    now: () => NOW,
  });
  return { output, stdout, stderr };
}

describe('LauncherOutput', () => {
  it('in JSON mode, writes one JSON object per line, each with the service it is about', () => {
    const { output, stdout } = capture('json');
    output.info('Starting Runnerly');
    output.info('PostgreSQL is ready', 'postgres');
    output.serviceLine('users', '{"level":"info","service":"users","msg":"up"}', 'stdout');
    output.serviceLine('runs', 'plain text', 'stderr');
    output.summary(SUMMARY);

    const lines = stdout.join('').split('\n').filter(Boolean);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: 'info', time: NOW.toISOString(), service: 'dev-stack', msg: 'Starting Runnerly' },
      { level: 'info', time: NOW.toISOString(), service: 'postgres', msg: 'PostgreSQL is ready' },
      { level: 'info', service: 'users', msg: 'up' },
      { level: 'error', time: NOW.toISOString(), service: 'runs', msg: 'plain text' },
      { level: 'info', time: NOW.toISOString(), service: 'dev-stack', msg: 'Runnerly is up', ...SUMMARY },
    ]);
  });

  it('in pretty mode, prefixes each line with its service and prints the summary as text', () => {
    const { output, stdout } = capture('pretty');
    output.serviceLine('users', '{"level":"info","service":"users","msg":"up"}', 'stdout');
    output.summary(SUMMARY);

    expect(stdout[0]).toMatch(/INFO: \[users\] up\n$/);
    expect(stdout[1]).toContain('  Gateway      http://localhost:3000\n');
    expect(stdout[1]).toContain(
      '  Mails        http://127.0.0.1:8025/mails, and printed here as they arrive',
    );
    expect(stdout[1]).toContain('Press Ctrl-C to stop everything.');
  });

  it('explains a failure on stderr, followed by the last output of the process at fault', () => {
    const { output, stdout, stderr } = capture('json');
    const lastLine = '{"level":"fatal","service":"users","msg":"Refusing to start: invalid configuration"}';
    output.failure('users exited with code 1 before it was ready', { service: 'users', lines: [lastLine] });

    expect(stderr.join('')).toBe(
      `\nRunnerly stopped: users exited with code 1 before it was ready\n\nLast output of users:\n${lastLine}\n`,
    );
    expect(JSON.parse(stdout.join(''))).toMatchObject({ level: 'fatal', service: 'dev-stack' });
  });

  it('pretty-prints the last output of a failed service in a terminal', () => {
    const { output, stderr } = capture('pretty');
    output.failure('runs exited with code 1', {
      service: 'runs',
      lines: ['{"level":"error","time":"2026-11-23T10:00:00.000Z","service":"runs","msg":"boom"}'],
    });

    expect(stderr.join('')).toMatch(/Last output of runs:\n\[[\d:.]+\] ERROR: \[runs\] boom\n$/);
  });
});
