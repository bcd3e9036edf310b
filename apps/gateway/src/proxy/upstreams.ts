import { Injectable } from '@nestjs/common';
import { type UpstreamName, UPSTREAMS } from '@runnerly/platform';
import { internalFetch } from '@runnerly/security';
import { GatewayConfig, instancesOf } from '../gateway.config';
import { InstancePool } from './instance-pool';

/**
 * The instances of each internal service of the manifest (USERS_URL, RUNS_URL, ...), the URL of a path on one
 * of them, and how the gateway calls them itself.
 */
@Injectable()
export class Upstreams {
  private readonly pools: ReadonlyMap<UpstreamName, InstancePool>;
  /** The gateway's own calls to them (readiness probes), over the same TLS as the proxied requests. */
  readonly fetch: typeof fetch;

  constructor(config: GatewayConfig) {
    this.fetch = internalFetch(config);
    this.pools = new Map(
      UPSTREAMS.map((upstream) => [
        upstream,
        new InstancePool(instancesOf(config, upstream).map(withTrailingSlash)),
      ]),
    );
  }

  pool(upstream: UpstreamName): InstancePool {
    return this.pools.get(upstream)!;
  }

  /** Paths are fixed by the route table. */
  url(instance: string, path: string): string {
    return new URL(path.replace(/^\//, ''), instance).toString();
  }
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
