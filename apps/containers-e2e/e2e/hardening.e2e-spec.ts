import { setTimeout as sleep } from 'node:timers/promises';
import {
  CONTAINERS_SUITE,
  LONG_RUNNING_SERVICES,
  type LongRunningService,
  NODE_SERVICES,
  PROMETHEUS,
} from './support/containers-env';
import {
  execIn,
  networkIsInternal,
  processUids,
  type StackContainer,
  stackContainers,
} from '@runnerly/testing';

/** Every long-running container, and the observability profile's Prometheus. */
type HardenedService = LongRunningService | typeof PROMETHEUS;
const HARDENED_SERVICES: readonly HardenedService[] = [...LONG_RUNNING_SERVICES, PROMETHEUS];

/** The tmpfs of each service: its only writable place besides its volumes (/tmp for all but two). */
const SCRATCH: Partial<Record<HardenedService, string>> = { redis: '/data', prometheus: '/prometheus' };
const scratchOf = (service: HardenedService): string => SCRATCH[service] ?? '/tmp';

CONTAINERS_SUITE.describe('the containers of docker-compose.yml', ({ project, gatewayUrl }) => {
  let containers: Map<string, StackContainer>;
  const container = (service: string): StackContainer => {
    const found = containers.get(service);
    if (!found) throw new Error(`No container for service ${service} in project ${project}`);
    return found;
  };

  beforeAll(async () => {
    containers = await stackContainers(project);
  });

  it("publishes the gateway's port and, in the observability profile, Prometheus', on loopback only", () => {
    const published = [...containers.values()].flatMap(({ service, inspect }) =>
      Object.entries(inspect.HostConfig.PortBindings ?? {}).flatMap(([port, bindings]) =>
        ((bindings ?? []) as { HostIp: string; HostPort: string }[]).map((b) => ({ service, port, ...b })),
      ),
    );
    expect(published).toEqual(
      expect.arrayContaining([
        { service: 'gateway', port: '3000/tcp', HostIp: '127.0.0.1', HostPort: new URL(gatewayUrl).port },
        { service: PROMETHEUS, port: '9090/tcp', HostIp: '127.0.0.1', HostPort: expect.any(String) },
      ]),
    );
    expect(published).toHaveLength(2);
  });

  it('keeps every other service on an internal network only, with no route out', async () => {
    const networksOf = (service: string) => Object.keys(container(service).inspect.NetworkSettings.Networks);
    const [backend] = networksOf('users');
    expect(backend).toMatch(/_backend$/);
    expect(await networkIsInternal(backend!)).toBe(true);
    for (const service of ['postgres', 'redis', 'mail', 'users', 'runs'])
      expect(networksOf(service)).toEqual([backend]);
    const shortNamesOf = (service: string) =>
      networksOf(service)
        .map((name) => name.replace(/^.*_/, ''))
        .sort();
    expect(shortNamesOf('gateway')).toEqual(['backend', 'edge']);
    // Prometheus scrapes the backend; its UI is published from a network of its own, never the gateway's edge.
    expect(shortNamesOf(PROMETHEUS)).toEqual(['backend', 'observability']);

    // A compromised internal service cannot call home: an outside address is unreachable from the backend.
    const probe = await execIn(container('users'), [
      'node',
      '-e',
      "require('net').connect({ host: '1.1.1.1', port: 443, timeout: 3000 })" +
        ".on('connect', () => process.exit(0)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1))",
    ]);
    expect(probe.exitCode).toBe(1);
  });

  it.each(HARDENED_SERVICES)('runs every process of %s as a user other than root', async (service) => {
    const { inspect } = container(service);
    expect(inspect.Config.User).toMatch(/^(?!0(:|$)|root(:|$)).+/);
    const processes = await processUids(container(service));
    expect(processes.length).toBeGreaterThan(0);
    expect(processes.filter(({ uid }) => uid === '0')).toEqual([]);
    expect((await execIn(container(service), ['id', '-u'])).stdout.trim()).not.toBe('0');
  });

  it.each(HARDENED_SERVICES)(
    'runs %s on a read-only root filesystem, without capabilities or a way to gain privileges',
    async (service) => {
      const { HostConfig } = container(service).inspect;
      expect(HostConfig.ReadonlyRootfs).toBe(true);
      expect(HostConfig.CapDrop).toEqual(['ALL']);
      expect(HostConfig.CapAdd ?? []).toEqual([]);
      expect(HostConfig.Privileged).toBe(false);
      expect(HostConfig.SecurityOpt).toContain('no-new-privileges:true');

      const write = await execIn(container(service), ['sh', '-c', 'echo changed > /etc/runnerly-was-here']);
      expect(write.exitCode).not.toBe(0);
      expect(write.stderr).toMatch(/read-only file system/i);
      // Scratch space exists where the software needs it (a tmpfs), and nothing there can be executed.
      const scratch = await execIn(container(service), [
        'sh',
        '-c',
        `f=${scratchOf(service)}/x; printf '#!/bin/sh\\necho ran\\n' > $f && chmod +x $f && $f`,
      ]);
      expect(scratch.stdout).not.toContain('ran');
      expect(scratch.stderr).toMatch(/permission denied/i);
    },
  );

  /**
   * The container's health once it reports healthy, or as it last stood after `timeoutMs`. Polled, not read
   * once: on a machine saturated by parallel suites a healthcheck can time out a few times in a row, and the
   * claim is that the container is healthy, not that it was at one instant.
   */
  async function healthWithin(service: string, timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = (await stackContainers(project)).get(service)?.inspect.State.Health?.Status;
      if (status === 'healthy' || Date.now() > deadline) return status;
      await sleep(1_000);
    }
  }

  it.each(HARDENED_SERVICES)(
    'bounds the memory, CPU and processes of %s, and reports it healthy',
    async (service) => {
      const { HostConfig } = container(service).inspect;
      expect(HostConfig.Memory).toBeGreaterThan(0);
      expect(HostConfig.NanoCpus).toBeGreaterThan(0);
      expect(HostConfig.PidsLimit).toBeGreaterThan(0);
      expect(await healthWithin(service, 60_000)).toBe('healthy');
    },
    90_000,
  );

  it.each(NODE_SERVICES)(
    'runs node under tini in %s, so that signals reach it and zombies are reaped',
    async (service) => {
      const init = await execIn(container(service), ['sh', '-c', "tr '\\0' ' ' < /proc/1/cmdline"]);
      expect(init.stdout).toMatch(/^\/usr\/bin\/tini -- node main\.js/);
      expect(container(service).inspect.Config.Healthcheck?.Test).toEqual([
        'CMD',
        'bash',
        '/app/healthcheck.sh',
      ]);
    },
  );

  it('generated the secrets in a one-shot container with no network and only the capabilities to hand files over', () => {
    const { HostConfig, State } = container('secrets-init').inspect;
    expect(State.Status).toBe('exited');
    expect(State.ExitCode).toBe(0);
    expect(HostConfig.NetworkMode).toBe('none');
    expect(HostConfig.ReadonlyRootfs).toBe(true);
    expect(HostConfig.CapDrop).toEqual(['ALL']);
    expect([...(HostConfig.CapAdd ?? [])].sort()).toEqual(['CHOWN', 'DAC_OVERRIDE', 'FOWNER']);
  });
});
