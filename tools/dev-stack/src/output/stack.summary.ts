import { join, relative } from 'node:path';
import { type StackConfig } from '../config/stack.config';
import { mailCatcherSmtpUrl, mailCatcherUrl } from '../stack/mail-catcher';
import { gatewayBrowserUrl } from '../stack/service-environments';

/** What a developer needs once the stack is up. Never a credential: URLs are shown without them. */
export interface StackSummary {
  gateway: { url: string; docs: string; ready: string };
  /** With RUNNERLY_HTTPS=1: the development CA a client must trust to open the gateway. */
  https?: { caFile: string };
  database:
    | { kind: 'embedded'; address: string; dataDir: string }
    | { kind: 'external'; urls: Record<string, string> };
  rateLimiting: { store: 'memory' } | { store: 'redis'; address: string };
  /** Each service's Prometheus metrics (GET /metrics on its own port), by service. */
  metrics: Record<string, string>;
  /** Where users sends mail (the catcher, which delivers none) and where the caught mails are read. */
  mail: { smtp: string; mails: string };
  startedInMs: number;
}

export function summarizeStack(config: StackConfig, startedInMs: number): StackSummary {
  const url = gatewayBrowserUrl(config);
  const { databases } = config;
  return {
    gateway: { url, docs: `${url}/docs`, ready: `${url}/health/ready` },
    ...(config.https
      ? { https: { caFile: displayPath(join(config.stateDir, 'tls', 'ca.pem'), config.repoRoot) } }
      : {}),
    database:
      databases.kind === 'embedded'
        ? {
            kind: 'embedded',
            address: `127.0.0.1:${databases.port}`,
            dataDir: displayPath(databases.dataDir, config.repoRoot),
          }
        : {
            kind: 'external',
            urls: Object.fromEntries(
              Object.entries(databases.urls).map(([service, url]) => [service, withoutCredentials(url)]),
            ),
          },
    rateLimiting:
      config.redisUrl === undefined
        ? { store: 'memory' }
        : { store: 'redis', address: withoutCredentials(config.redisUrl) },
    metrics: Object.fromEntries(
      Object.entries(config.metricsPorts).map(([service, port]) => [
        service,
        `http://${config.internalHost}:${port}/metrics`,
      ]),
    ),
    mail: { smtp: mailCatcherSmtpUrl(config), mails: `${mailCatcherUrl(config)}/mails` },
    startedInMs,
  };
}

/** The summary as a developer reads it in a terminal. */
export function summaryText(summary: StackSummary): string {
  const { database, rateLimiting, metrics, mail } = summary;
  const rows: [string, string][] = [
    ['Gateway', summary.gateway.url],
    ['API docs', summary.gateway.docs],
    ['Readiness', summary.gateway.ready],
    [
      'Database',
      database.kind === 'embedded'
        ? `embedded PostgreSQL on ${database.address}, data in ${database.dataDir}`
        : `external PostgreSQL: ${Object.entries(database.urls)
            .map(([service, address]) => `${service} at ${address}`)
            .join(', ')}`,
    ],
    ...(summary.https
      ? [
          [
            'HTTPS',
            `certificate from the development CA ${summary.https.caFile}: curl --cacert ${summary.https.caFile} ${summary.gateway.ready}; to open it in a browser, trust the CA (tools/dev-stack/README.md#https)`,
          ] as [string, string],
        ]
      : []),
    [
      'Rate limits',
      rateLimiting.store === 'memory'
        ? 'counted in memory, per service (set REDIS_URL to share them through Redis)'
        : `counted in Redis at ${rateLimiting.address}`,
    ],
    [
      'Metrics',
      Object.entries(metrics)
        .map(([service, url]) => `${service} ${url}`)
        .join(', '),
    ],
    [
      'Mails',
      `${mail.mails}, and printed here as they arrive (users sends to ${mail.smtp}; none is delivered)`,
    ],
  ];
  return [
    '',
    `  Runnerly is up (started in ${(summary.startedInMs / 1000).toFixed(1)} s)`,
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(12)} ${value}`),
    '',
    '  Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}

/** host:port/path of a URL, leaving out the user, the password and any query (which may hold secrets). */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function displayPath(path: string, repoRoot: string): string {
  const inside = relative(repoRoot, path);
  return inside !== '' && !inside.startsWith('..') ? inside : path;
}
