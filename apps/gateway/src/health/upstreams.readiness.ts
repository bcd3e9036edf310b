import { Injectable } from '@nestjs/common';
import { type ReadinessCheck } from '@runnerly/security';
import { Upstreams } from '../proxy/upstreams';

const PROBE_TIMEOUT_MS = 1_500;

/** Ready when both internal services say they are ready (so an orchestrator sends no traffic before). */
@Injectable()
export class UpstreamsReadiness implements ReadinessCheck {
  readonly name = 'upstreams';

  constructor(private readonly upstreams: Upstreams) {}

  async isReady(): Promise<boolean> {
    const probes = (['users', 'runs'] as const).map(async (upstream) => {
      const response = await fetch(this.upstreams.url(upstream, '/health/ready'), {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      return response.ok;
    });
    return (await Promise.all(probes)).every(Boolean);
  }
}
