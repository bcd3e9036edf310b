import { Injectable } from '@nestjs/common';
import { type ReadinessCheck, UPSTREAMS } from '@runnerly/platform';
import { Upstreams } from '../proxy/upstreams';

const PROBE_TIMEOUT_MS = 1_500;

/**
 * Ready when at least one instance of each internal service says it is ready (so an orchestrator sends
 * no traffic before, and one replica restarting does not take the gateway out with it).
 */
@Injectable()
export class UpstreamsReadiness implements ReadinessCheck {
  readonly name = 'upstreams';

  constructor(private readonly upstreams: Upstreams) {}

  async isReady(): Promise<boolean> {
    const services = UPSTREAMS.map(async (upstream) => {
      const probes = this.upstreams.pool(upstream).instances.map((instance) => this.probe(instance));
      return (await Promise.all(probes)).some(Boolean);
    });
    return (await Promise.all(services)).every(Boolean);
  }

  private async probe(instance: string): Promise<boolean> {
    const response = await this.upstreams
      .fetch(this.upstreams.url(instance, '/health/ready'), {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      })
      .catch(() => undefined);
    return response?.ok === true;
  }
}
