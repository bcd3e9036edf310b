import { Injectable } from '@nestjs/common';
import { GatewayConfig } from '../gateway.config';

/** The internal services behind the gateway. */
export type Upstream = 'users' | 'runs';

/** Resolves an upstream and a path into the URL to forward to. Paths are fixed by the route table. */
@Injectable()
export class Upstreams {
  private readonly bases: Record<Upstream, string>;

  constructor(config: GatewayConfig) {
    this.bases = { users: withTrailingSlash(config.USERS_URL), runs: withTrailingSlash(config.RUNS_URL) };
  }

  url(upstream: Upstream, path: string): string {
    return new URL(path.replace(/^\//, ''), this.bases[upstream]).toString();
  }
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
