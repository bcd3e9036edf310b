import { loadStackConfig } from '../config/stack.config';
import { summarizeStack, summaryText } from './stack.summary';

const configFrom = (env: NodeJS.ProcessEnv) =>
  loadStackConfig(env, { repoRoot: '/repo', cwd: '/repo', stdoutIsTerminal: false });

describe('summarizeStack', () => {
  it('gives the gateway, docs and readiness URLs on localhost, and where the embedded database is', () => {
    expect(summarizeStack(configFrom({}), 6_200)).toEqual({
      gateway: {
        url: 'http://localhost:3000',
        docs: 'http://localhost:3000/docs',
        ready: 'http://localhost:3000/health/ready',
      },
      database: { kind: 'embedded', address: '127.0.0.1:54329', dataDir: '.runnerly/postgres' },
      rateLimiting: { store: 'memory' },
      metrics: {
        users: 'http://127.0.0.1:9101/metrics',
        runs: 'http://127.0.0.1:9102/metrics',
        gateway: 'http://127.0.0.1:9100/metrics',
      },
      mail: { smtp: 'smtp://127.0.0.1:1025', mails: 'http://127.0.0.1:8025/mails' },
      startedInMs: 6_200,
    });
  });

  it('shows external databases and Redis without their credentials', () => {
    const summary = summarizeStack(
      configFrom({
        USERS_DATABASE_URL: 'postgresql://users:users-secret@db.example:5432/users?sslmode=require',
        RUNS_DATABASE_URL: 'postgres://runs:runs-secret@db.example:5432/runs',
        REDIS_URL: 'redis://default:redis-secret@cache.example:6379',
        GATEWAY_HOST: 'dev.example',
        GATEWAY_PORT: '8080',
      }),
      1_000,
    );

    expect(summary.database).toEqual({
      kind: 'external',
      urls: { users: 'db.example:5432/users', runs: 'db.example:5432/runs' },
    });
    expect(summary.rateLimiting).toEqual({ store: 'redis', address: 'cache.example:6379' });
    expect(summary.gateway.url).toBe('http://dev.example:8080');
    expect(JSON.stringify(summary)).not.toMatch(/secret|sslmode/);
  });

  it('follows the mail catcher to the ports it is given', () => {
    const summary = summarizeStack(
      configFrom({ RUNNERLY_MAIL_SMTP_PORT: '2525', RUNNERLY_MAIL_HTTP_PORT: '8026' }),
      0,
    );

    expect(summary.mail).toEqual({ smtp: 'smtp://127.0.0.1:2525', mails: 'http://127.0.0.1:8026/mails' });
  });

  it('follows the metrics to the ports they are given', () => {
    expect(summarizeStack(configFrom({ RUNNERLY_RUNS_METRICS_PORT: '9302' }), 0).metrics.runs).toBe(
      'http://127.0.0.1:9302/metrics',
    );
  });

  it('reaches a gateway listening on every address through localhost', () => {
    expect(summarizeStack(configFrom({ GATEWAY_HOST: '0.0.0.0' }), 0).gateway.url).toBe(
      'http://localhost:3000',
    );
  });
});

describe('summaryText', () => {
  it('lists the URLs, the database, the rate-limit store, the metrics, where the mails are read and how to stop', () => {
    expect(summaryText(summarizeStack(configFrom({}), 6_240))).toBe(
      [
        '',
        '  Runnerly is up (started in 6.2 s)',
        '',
        '  Gateway      http://localhost:3000',
        '  API docs     http://localhost:3000/docs',
        '  Readiness    http://localhost:3000/health/ready',
        '  Database     embedded PostgreSQL on 127.0.0.1:54329, data in .runnerly/postgres',
        '  Rate limits  counted in memory, per service (set REDIS_URL to share them through Redis)',
        '  Metrics      users http://127.0.0.1:9101/metrics, runs http://127.0.0.1:9102/metrics, gateway ' +
          'http://127.0.0.1:9100/metrics',
        '  Mails        http://127.0.0.1:8025/mails, and printed here as they arrive (users sends to ' +
          'smtp://127.0.0.1:1025; none is delivered)',
        '',
        '  Press Ctrl-C to stop everything.',
        '',
      ].join('\n'),
    );
  });
});
