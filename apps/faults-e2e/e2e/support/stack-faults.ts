import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerLog, projectContainerIds, stackContainers } from '@runnerly/testing';
import { getContainerRuntimeClient } from 'testcontainers';

/** What a container's life looked like at one moment: enough to tell that it exited or was restarted. */
export interface ContainerLife {
  running: boolean;
  restartCount: number;
  startedAt: string;
}

/**
 * The faults the suite injects into the compose stack, through the Docker engine: a crash (SIGKILL to the
 * container's main process) and an orderly stop for a while.
 */
export class StackFaults {
  constructor(private readonly project: string) {}

  /** Every container of the stack, by service name, as it stands now. */
  async lives(): Promise<Map<string, ContainerLife>> {
    const lives = new Map<string, ContainerLife>();
    for (const [service, { inspect }] of await stackContainers(this.project)) {
      lives.set(service, {
        running: inspect.State.Running,
        restartCount: inspect.RestartCount,
        startedAt: inspect.State.StartedAt,
      });
    }
    return lives;
  }

  /**
   * A crash: SIGKILL to the container's main process, from the host. Docker's restart policy
   * (`restart: unless-stopped`) starts it again, as it would after any crash. (`docker kill` would not do:
   * Docker counts it as a manual stop, which the policy leaves alone.)
   */
  async kill(service: string): Promise<void> {
    const pid = (await this.container(service)).inspect.State.Pid;
    if (process.getuid?.() === 0) process.kill(pid, 'SIGKILL');
    else execFileSync('sudo', ['-n', 'kill', '-KILL', String(pid)]);
  }

  /**
   * `docker stop` (SIGTERM, then SIGKILL after 20 s, the `stop_grace_period` of docker-compose.yml: a drain
   * and a keep-alive linger fit in it), and `docker start` once `outageMs` have passed.
   */
  async stopFor(service: string, outageMs: number): Promise<void> {
    const { dockerode } = (await getContainerRuntimeClient()).container;
    const { id } = await this.container(service);
    await dockerode.getContainer(id).stop({ t: 20 });
    await sleep(outageMs);
    await dockerode.getContainer(id).start();
  }

  /**
   * Resolves, with the time, once the container was started again after `before` (its life before the
   * fault) and its healthcheck passes: right after a crash Docker may still report the old, healthy state.
   */
  async backAndHealthy(service: string, before: ContainerLife, timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { inspect } = await this.container(service);
      const restarted = inspect.State.StartedAt !== before.startedAt;
      if (restarted && inspect.State.Running && inspect.State.Health?.Status === 'healthy') return Date.now();
      await sleep(250);
    }
    throw new Error(`${service} was not healthy again within ${timeoutMs / 1000} s`);
  }

  /** Every line that any container of the stack (replicas included) logged about these request ids. */
  async logLinesAbout(requestIds: readonly string[]): Promise<string[]> {
    if (requestIds.length === 0) return [];
    const lines: string[] = [];
    for (const id of await projectContainerIds(this.project))
      for (const line of (await containerLog({ id })).split('\n'))
        if (requestIds.some((requestId) => line.includes(requestId))) lines.push(line);
    return lines;
  }

  private async container(service: string) {
    const container = (await stackContainers(this.project)).get(service);
    if (!container) throw new Error(`the stack has no ${service} container`);
    return container;
  }
}
