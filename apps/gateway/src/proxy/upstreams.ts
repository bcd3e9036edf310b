import { Injectable } from '@nestjs/common';
import { GatewayConfig } from '../gateway.config';
import { InstancePool } from './instance-pool';

/** The internal services behind the gateway. */
export type Upstream = 'users' | 'runs';

export const UPSTREAMS: readonly Upstream[] = ['users', 'runs'];

/** The instances of each internal service (USERS_URL, RUNS_URL), and the URL of a path on one of them. */
@Injectable()
export class Upstreams {
  private readonly pools: Record<Upstream, InstancePool>;

  constructor(config: GatewayConfig) {
    this.pools = {
      users: new InstancePool(config.USERS_URL.map(withTrailingSlash)),
      runs: new InstancePool(config.RUNS_URL.map(withTrailingSlash)),
    };
  }

  pool(upstream: Upstream): InstancePool {
    return this.pools[upstream];
  }

  /** Paths are fixed by the route table. */
  url(instance: string, path: string): string {
    return new URL(path.replace(/^\//, ''), instance).toString();
  }
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
