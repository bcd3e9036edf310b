import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy between a service and a real dependency (PostgreSQL), to stage an outage without
 * touching the dependency: `cut()` resets every open connection and refuses new ones (what a crashed or
 * unreachable server looks like to a client), `restore()` lets connections through again. Deterministic
 * and immediate, unlike stopping a container that other tests share.
 */
export class TcpFaultProxy {
  private readonly open = new Set<Socket>();
  private cutOff = false;

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {}

  /** Listens on 127.0.0.1 (a free port) and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpFaultProxy> {
    const server = createServer();
    const proxy = new TcpFaultProxy(server, target);
    server.on('connection', (client) => proxy.accept(client));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  /** A proxy in front of the server a URL names (a postgres:// URL, say). */
  static inFrontOf(url: string): Promise<TcpFaultProxy> {
    const { hostname, port } = new URL(url);
    return TcpFaultProxy.start({ host: hostname, port: Number(port || 5432) });
  }

  /** The same URL (credentials, database, options), through this proxy. */
  route(url: string): string {
    const routed = new URL(url);
    routed.hostname = '127.0.0.1';
    routed.port = String(this.port);
    return routed.toString();
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The outage: open connections are reset, new ones are reset as soon as they arrive. */
  cut(): void {
    this.cutOff = true;
    for (const socket of this.open) socket.resetAndDestroy();
    this.open.clear();
  }

  /** The end of the outage: new connections reach the dependency again. */
  restore(): void {
    this.cutOff = false;
  }

  async stop(): Promise<void> {
    this.cut();
    this.server.close();
    await once(this.server, 'close');
  }

  private accept(client: Socket): void {
    if (this.cutOff) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(this.target);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.open.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        this.open.delete(socket);
        other.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}
