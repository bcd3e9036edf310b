import { createServer } from 'node:net';

/** A port the stack is about to listen on, and the variable that moves it elsewhere. */
export interface WantedPort {
  owner: string;
  host: string;
  port: number;
  variable: string;
}

/**
 * Throws a message naming the port, its owner in the stack and the variable to change, when a port cannot
 * be listened on. Checked before anything starts: otherwise the third service would fail after the first
 * two had started, with a stack trace instead of an explanation.
 */
export async function assertPortsFree(ports: readonly WantedPort[]): Promise<void> {
  for (const wanted of ports) {
    const problem = await listenProblem(wanted.host, wanted.port);
    if (problem === undefined) continue;
    const where = `port ${wanted.port} on ${wanted.host}`;
    switch (problem) {
      case 'EADDRINUSE':
        throw new Error(
          `Cannot start ${wanted.owner}: ${where} is already in use by another program. ` +
            `Stop that program ("ss -ltnp 'sport = :${wanted.port}'" shows which one), or choose another ` +
            `port with ${wanted.variable}=<port>.`,
        );
      case 'EACCES':
        throw new Error(
          `Cannot start ${wanted.owner}: this user may not listen on ${where}. ` +
            `Choose a port above 1023 with ${wanted.variable}=<port>.`,
        );
      case 'EADDRNOTAVAIL':
        throw new Error(`Cannot start ${wanted.owner}: ${wanted.host} is not an address of this machine.`);
      default:
        throw new Error(`Cannot start ${wanted.owner}: listening on ${where} fails with ${problem}.`);
    }
  }
}

/** The error code of an attempt to listen on host:port, or undefined when it works. */
function listenProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
