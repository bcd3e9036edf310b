import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, WORKSPACE_ROOT } from '@runnerly/dev-infra';
import { SERVICE_NAMES } from '@runnerly/platform';
import { getContainerRuntimeClient } from 'testcontainers';
import { COMPOSE_COMMANDS, ComposeCli, type ComposeResult, detectCompose, lastLines } from './compose-cli';

/** A cold build (npm ci, the TypeScript build, three images) takes minutes; a cached one, seconds. */
const UP_TIMEOUT_MS = 20 * 60_000;
const HEALTHY_TIMEOUT_MS = 3 * 60_000;
const DOWN_TIMEOUT_MS = 2 * 60_000;
/** The extra CA certificates this machine trusts (an HTTPS-intercepting proxy's), for `npm ci` in the build. */
const HOST_EXTRA_CA_DIR = '/usr/local/share/ca-certificates';

export interface ComposeStackOptions {
  /** The workspace whose docker-compose.yml is built and started: this one unless said. */
  root?: string;
  /** The services of that workspace's manifest: each gets its secrets folder. */
  services?: readonly string[];
  /** More variables for compose, e.g. `<NAME>_IMAGE` to build images under other tags than the usual ones. */
  env?: Record<string, string>;
  /** With docker-compose.https.yml: the gateway serves HTTPS with the stack CA's certificate. */
  https?: boolean;
  /** More override files after those, relative to `root` (a test's extra replicas, say). */
  overrides?: readonly string[];
  /** Compose profiles to start as well (`observability`), as `--profile` would. */
  profiles?: readonly string[];
}

export interface RunningStack {
  project: string;
  /** http:// or, with `https`, https://127.0.0.1:<port>. */
  gatewayUrl: string;
  /** With `https`: the stack CA's certificate (PEM), which the gateway's chains to. */
  gatewayCa?: string;
  /** How long `up --build` and the wait for every healthcheck took, in seconds. */
  startSeconds: number;
  stop(): Promise<void>;
}

/** Why this machine cannot run the stack at all, or undefined when it can. */
export async function whyContainersAreUnavailable(
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (env.RUNNERLY_TEST_DOCKER === '0') return 'RUNNERLY_TEST_DOCKER=0 turns containers off';
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    return `no Docker engine is reachable (${error instanceof Error ? error.message : String(error)})`;
  }
  // Compose talks to the engine through the docker CLI's settings (DOCKER_HOST, contexts), which may differ.
  const cli = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (cli.status !== 0) {
    return `the docker CLI cannot reach an engine (${(cli.stderr || cli.error?.message || '').trim().split('\n')[0]})`;
  }
  if (!detectCompose()) return 'neither `docker compose` (v2) nor `docker-compose` (1.29) is installed';
  return undefined;
}

/**
 * `docker compose up --build` of the repository's docker-compose.yml, as a person would run it, but under a
 * project name, a gateway port and a secrets folder of its own: it never touches a developer's running stack,
 * their secrets/ folder, or another test run on the same engine. Resolves once every service is healthy;
 * on failure, the error carries the end of the build output or the logs of the containers, and nothing is left.
 * (Not testcontainers' DockerComposeEnvironment: when a start fails, it takes the stack down before anyone can
 * read the log of the container that failed.)
 */
export async function startComposeStack({
  root = WORKSPACE_ROOT,
  services = SERVICE_NAMES,
  env = {},
  https = false,
  overrides = [],
  profiles = [],
}: ComposeStackOptions = {}): Promise<RunningStack> {
  const flavour = detectCompose();
  if (!flavour) throw new Error('No compose');
  const project = `runnerly-e2e-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const secretsDir = await mkdtemp(join(tmpdir(), `${project}-secrets-`));
  // Compose mounts these folders before the `secrets-init` service fills them (see docker-compose.yml).
  for (const consumer of ['postgres', 'redis', ...services]) {
    await mkdir(join(secretsDir, consumer));
    await chmod(join(secretsDir, consumer), 0o755);
  }

  const compose = new ComposeCli(
    flavour,
    project,
    root,
    {
      GATEWAY_HOST_IP: '127.0.0.1',
      GATEWAY_PORT: String(port),
      // The observability profile's Prometheus, the other port the file publishes: never a developer's 9090.
      PROMETHEUS_PORT: String(await freePort()),
      // Read by both compose implementations, for every command (`down` too).
      COMPOSE_PROFILES: profiles.join(','),
      RUNNERLY_SECRETS_DIR: secretsDir,
      ...(process.env.BUILD_EXTRA_CA_CERTS ? {} : { BUILD_EXTRA_CA_CERTS: hostExtraCaCertificates() }),
      ...env,
    },
    ['docker-compose.yml', ...(https ? ['docker-compose.https.yml'] : []), ...overrides],
  );
  const stop = async () => {
    await compose.run(['down', '--volumes', '--remove-orphans', '--timeout', '10'], DOWN_TIMEOUT_MS);
    await rm(secretsDir, { recursive: true, force: true });
  };

  const started = Date.now();
  try {
    const up = await upThroughSlowHealthchecks(compose, project);
    if (up.code !== 0) {
      throw new Error(
        `${COMPOSE_COMMANDS[flavour].name} up --build failed: ${whyUpFailed(up.output)}\n` +
          lastLines(up.output, 60),
      );
    }
    await waitUntilHealthy(project);
  } catch (error) {
    const logs = await compose.run(['logs', '--no-color', '--tail', '30'], 60_000);
    await stop();
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- container logs ---\n${logs.output}`,
      {
        cause: error,
      },
    );
  }
  return {
    project,
    gatewayUrl: `${https ? 'https' : 'http'}://127.0.0.1:${port}`,
    ...(https ? { gatewayCa: await readFile(join(secretsDir, 'internal_ca.pem'), 'utf8') } : {}),
    startSeconds: Math.round((Date.now() - started) / 1000),
    stop,
  };
}

/**
 * `up` gives up on the whole stack as soon as one dependency reports unhealthy, and leaves the services that wait
 * on it created but not started. That is not final either (see waitUntilHealthy): when it is all that went wrong,
 * wait for the started containers to be healthy, then `up` once more, which starts the rest.
 */
async function upThroughSlowHealthchecks(compose: ComposeCli, project: string): Promise<ComposeResult> {
  const up = await compose.run(['up', '--detach', '--build'], UP_TIMEOUT_MS);
  if (up.code === 0 || !/is unhealthy/.test(up.output)) return up;
  await waitUntilHealthy(project, { startedOnly: true });
  return compose.run(['up', '--detach'], UP_TIMEOUT_MS);
}

/**
 * Every container of the project that keeps running must become healthy; one-shot ones must exit with 0
 * (`startedOnly`: containers created but never started are not waited for).
 * "unhealthy" is not final: Docker keeps probing, and on a machine starved of CPU (several stacks on two
 * cores) a healthcheck can time out a few times in a row and then pass. Only the deadline decides.
 */
async function waitUntilHealthy(project: string, { startedOnly = false } = {}): Promise<void> {
  const { dockerode } = (await getContainerRuntimeClient()).container;
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
  let pending: string[] = [];
  while (Date.now() < deadline) {
    const containers = await dockerode.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`] },
    });
    pending = [];
    for (const container of containers) {
      const service = container.Labels['com.docker.compose.service'];
      const state = await dockerode.getContainer(container.Id).inspect();
      if (state.State.Status === 'exited') {
        if (state.State.ExitCode !== 0)
          throw new Error(`${service} exited with code ${state.State.ExitCode}`);
        continue;
      }
      if (startedOnly && state.State.Status === 'created') continue;
      const health = state.State.Health?.Status;
      if (health !== 'healthy') pending.push(`${service} (${health ?? state.State.Status})`);
    }
    if (containers.length > 0 && pending.length === 0) return;
    await sleep(1_000);
  }
  throw new Error(`not healthy within ${HEALTHY_TIMEOUT_MS / 1000} s: ${pending.join(', ')}`);
}

/**
 * The lines of `up`'s output that say why it failed ("dependency failed to start: … is unhealthy", a build
 * step's error), put first in the message: the tail of the output and the container logs after it are long,
 * and a report that cuts them short must still say what went wrong.
 */
function whyUpFailed(output: string): string {
  const causes = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /error|failed|unhealthy/i.test(line));
  return causes.slice(-3).join(' | ') || 'no line of its output names the cause (see below)';
}

/**
 * PEM text of the CA certificates installed on this machine, or '' when there are none: exactly what
 * `"$(cat /usr/local/share/ca-certificates/*.crt)"` gives, as the containers chapter passes it, so that the
 * test stacks and the chapter's own `up --build` share one build cache.
 */
export function hostExtraCaCertificates(): string {
  try {
    return readdirSync(HOST_EXTRA_CA_DIR)
      .filter((name) => name.endsWith('.crt'))
      .sort()
      .map((name) => readFileSync(join(HOST_EXTRA_CA_DIR, name), 'utf8'))
      .join('')
      .replace(/\n+$/, '');
  } catch {
    return '';
  }
}
