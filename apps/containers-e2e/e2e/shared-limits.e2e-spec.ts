import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GatewayClient, stackContainers } from '@runnerly/testing';
import { CONTAINERS_SUITE } from './support/containers-env';

/** The gateway's general limit (its default) and the one compose/replicas.yml gives both replicas of runs. */
const GATEWAY_LIMIT = 300;
const RUNS_LIMIT = 40;

interface Answer {
  gateway: string;
  status: number;
}

/** Both gateway replicas, by their names on the `edge` network (compose/replicas.yml adds the second). */
const GATEWAYS = ['https://gateway:3000', 'https://gateway-2:3000'];

/**
 * Runs support/edge-client.mjs in a throw-away container on the stack's `edge` network, with the gateway's own
 * image (it has Node) and none of its secrets: one client address for all the series, of its own (see the
 * script for why). Returns each series' answers, in the order they came.
 */
async function edgeClient(
  project: string,
  gatewayCa: string,
  series: { path: string; token?: string; max: number }[],
): Promise<Answer[][]> {
  const gateway = (await stackContainers(project)).get('gateway')!;
  const { stdout } = await promisify(execFile)(
    'docker',
    [
      'run',
      '--rm',
      `--network=${project}_edge`,
      '--read-only',
      '--cap-drop=ALL',
      '--security-opt=no-new-privileges:true',
      `--volume=${join(__dirname, 'support/edge-client.mjs')}:/opt/edge-client.mjs:ro`,
      '--env=GATEWAYS',
      '--env=GATEWAY_CA',
      '--env=SERIES',
      gateway.inspect.Image,
      'node',
      '/opt/edge-client.mjs',
    ],
    {
      env: {
        ...process.env,
        GATEWAYS: GATEWAYS.join(','),
        GATEWAY_CA: gatewayCa,
        SERIES: JSON.stringify(series),
      },
      timeout: 120_000,
    },
  );
  return JSON.parse(stdout) as Answer[][];
}

const succeeded = (answers: Answer[]) => answers.filter(({ status }) => status !== 429);

CONTAINERS_SUITE.describe(
  'two replicas of the gateway and of runs in compose, sharing their rate limits through Redis',
  ({ project, gatewayUrl, gatewayFetch, gatewayCa }) => {
    let runsSeries: Answer[];
    let gatewaySeries: Answer[];

    // One client, its requests sent to the two gateways in turn: first with a token, so that each reaches runs
    // (which the gateways balance over runs-1 and runs-2) until runs refuses; then without one, answered 401 by
    // the gateways themselves, until they refuse. A limit counted per replica, in memory, would let twice the
    // limit through. The gateways also count the first series: the limit is per client, whatever the route.
    beforeAll(async () => {
      const { accessToken } = await new GatewayClient(gatewayUrl, {}, gatewayFetch).signUp('limits');
      [runsSeries, gatewaySeries] = await edgeClient(project, gatewayCa!, [
        { path: '/api/runs', token: accessToken, max: 2 * RUNS_LIMIT + 2 },
        { path: '/api/runs', max: 2 * GATEWAY_LIMIT + 2 },
      ]);
    }, 180_000);

    /** The last answer of each gateway: after the limit, one refusal from each, in turn. */
    const refusedByBoth = (answers: Answer[]) => answers.slice(-GATEWAYS.length);

    it('lets exactly the limit of runs through, in total, and refuses the next request on both gateways', () => {
      expect(succeeded(runsSeries)).toHaveLength(RUNS_LIMIT);
      expect(new Set(succeeded(runsSeries).map(({ status }) => status))).toEqual(new Set([200]));
      expect(refusedByBoth(runsSeries)).toEqual(GATEWAYS.map((gateway) => ({ gateway, status: 429 })));
    });

    it("lets exactly the gateway's limit through, in total, and refuses the next request on both gateways", () => {
      // Every request of both series passed the gateways' limit, but for their own refusals at the very end.
      const passed = runsSeries.length + gatewaySeries.length - GATEWAYS.length;
      expect(passed).toBe(GATEWAY_LIMIT);
      expect(new Set(succeeded(gatewaySeries).map(({ status }) => status))).toEqual(new Set([401]));
      expect(refusedByBoth(gatewaySeries).map(({ status }) => status)).toEqual([429, 429]);
      expect(new Set(refusedByBoth(gatewaySeries).map(({ gateway }) => gateway))).toEqual(new Set(GATEWAYS));
    });
  },
);
