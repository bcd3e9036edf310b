import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

/**
 * The Redis connection of a service's security controls: rate-limit counters, failed-credential counters
 * and the list of revoked sessions. Commands fail fast (2 s to connect, 1 s per command, one retry), and
 * every control that uses it fails closed (503) rather than open when Redis cannot answer.
 */
export class SecurityRedis implements OnApplicationShutdown {
  private readonly logger = new Logger('SecurityRedis');
  private lastErrorLoggedAt = 0;

  constructor(readonly client: Redis) {
    // Without a listener ioredis prints every failed reconnection to the console; once a minute in the log is enough.
    client.on('error', (error: Error) => {
      if (Date.now() - this.lastErrorLoggedAt < 60_000) return;
      this.lastErrorLoggedAt = Date.now();
      this.logger.warn(
        { err: error },
        'Redis is unreachable; rate-limited and revocation-checked routes answer 503',
      );
    });
  }

  /**
   * `rediss://` connects over TLS 1.3 and checks the server's certificate: it must chain to `ca` (default: the
   * system's CAs) and name the URL's host, so nobody in between can read the counters' traffic or answer instead.
   */
  static connect(url: string, { ca }: { ca?: string } = {}): SecurityRedis {
    const tls = url.startsWith('rediss://') ? { tls: { ca, minVersion: 'TLSv1.3' as const } } : {};
    return new SecurityRedis(
      new Redis(url, {
        connectTimeout: 2_000,
        commandTimeout: 1_000,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
        ...tls,
      }),
    );
  }

  async isReachable(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
