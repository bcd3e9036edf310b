import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, GatewayClient, stackContainers, WORKSPACE_ROOT } from '@runnerly/testing';
import { load } from 'js-yaml';
import { CONTAINERS_SUITE, PROMETHEUS } from './support/containers-env';

/** Every container infra/prometheus/prometheus.yml names, by the name only it answers to, on the metrics port. */
const TARGETS = ['users-1', 'users-2', 'runs-1', 'runs-2', 'gateway'].map((name) => `${name}:9100`);

/** The alerting rules compose mounts into Prometheus. */
const ALERTS = (
  load(readFileSync(join(WORKSPACE_ROOT, 'infra/prometheus/alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string }[] }[];
  }
).groups.flatMap((group) => group.rules.map((rule) => rule.alert));

/** Two scrape intervals (15 s each) and a little: a counter reaches Prometheus within one, whenever it changed. */
const WITHIN_A_SCRAPE_MS = 40_000;

interface ApiAnswer<Data> {
  status: 'success' | 'error';
  data: Data;
}

CONTAINERS_SUITE.describe(
  'the observability profile: Prometheus in compose',
  ({ project, gatewayUrl, gatewayFetch }) => {
    let prometheusUrl: string;

    /** Prometheus' HTTP API, on the loopback port compose published (PROMETHEUS_PORT, a free port in tests). */
    async function api<Data>(path: string): Promise<Data> {
      const answer = (await (await fetch(`${prometheusUrl}/api/v1/${path}`)).json()) as ApiAnswer<Data>;
      if (answer.status !== 'success') throw new Error(`${path}: ${JSON.stringify(answer)}`);
      return answer.data;
    }

    /** The sum of a PromQL expression over every series, 0 when there is none. */
    async function sum(expression: string): Promise<number> {
      const result = await api<{ result: { value: [number, string] }[] }>(
        `query?query=${encodeURIComponent(`sum(${expression}) or vector(0)`)}`,
      );
      return Number(result.result[0]?.value[1] ?? 0);
    }

    beforeAll(async () => {
      const prometheus = (await stackContainers(project)).get(PROMETHEUS)!;
      const [binding] = prometheus.inspect.HostConfig.PortBindings!['9090/tcp'] as { HostPort: string }[];
      prometheusUrl = `http://127.0.0.1:${binding!.HostPort}`;
    });

    it('scrapes every replica of every service over the internal network, and finds each one up', async () => {
      await eventually(async () => {
        const { activeTargets } = await api<{
          activeTargets: { labels: { instance: string }; health: string; lastError: string }[];
        }>('targets?state=active');
        expect(
          activeTargets
            .map(({ labels, health, lastError }) => ({ instance: labels.instance, health, lastError }))
            .sort((a, b) => a.instance.localeCompare(b.instance)),
        ).toEqual(
          TARGETS.map((instance) => ({ instance, health: 'up', lastError: '' })).sort((a, b) =>
            a.instance.localeCompare(b.instance),
          ),
        );
      }, WITHIN_A_SCRAPE_MS);
    });

    it('loads every alerting rule of infra/prometheus/alerts.yml, and evaluates them without error', async () => {
      const { groups } = await api<{ groups: { rules: { name: string; type: string; health: string }[] }[] }>(
        'rules?type=alert',
      );
      const rules = groups.flatMap((group) => group.rules);
      expect(rules.map(({ name }) => name).sort()).toEqual([...ALERTS].sort());
      await eventually(async () => {
        const evaluated = (
          await api<{ groups: { rules: { health: string }[] }[] }>('rules?type=alert')
        ).groups.flatMap((group) => group.rules);
        expect(evaluated.filter(({ health }) => health !== 'ok')).toEqual([]);
      }, WITHIN_A_SCRAPE_MS);
    });

    it('shows a failed login sent through the gateway in runnerly_security_events_total within a scrape', async () => {
      const failed = 'runnerly_security_events_total{event="auth.login.failed", reason="unknown_account"}';
      const before = await sum(failed);
      const login = await new GatewayClient(gatewayUrl, {}, gatewayFetch).postCredentials('/api/auth/login', {
        email: GatewayClient.nextEmail('nobody'),
        password: 'not an account here',
      });
      expect(login.status).toBe(401);
      await eventually(async () => expect(await sum(failed)).toBeGreaterThan(before), WITHIN_A_SCRAPE_MS);
    });

    it.each(['/metrics', '/api/metrics'])(
      'is the only way to the metrics: the gateway refuses %s',
      async (path) => {
        const response = await gatewayFetch(`${gatewayUrl}${path}`);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(await response.text()).not.toContain('runnerly_http_requests_total');
      },
    );
  },
);
