import { createServer, type Server } from 'node:net';
import { assertPortsFree } from './ports.check';

describe('assertPortsFree', () => {
  let squatter: Server;
  let takenPort: number;

  beforeAll(async () => {
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    takenPort = (squatter.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => squatter.close(() => resolve())));

  it('names the port, its owner in the stack and the variable that moves it', async () => {
    await expect(
      assertPortsFree([
        { owner: 'users', host: '127.0.0.1', port: takenPort, variable: 'RUNNERLY_USERS_PORT' },
      ]),
    ).rejects.toThrow(
      `Cannot start users: port ${takenPort} on 127.0.0.1 is already in use by another program. ` +
        `Stop that program ("ss -ltnp 'sport = :${takenPort}'" shows which one), or choose another port ` +
        'with RUNNERLY_USERS_PORT=<port>.',
    );
  });

  it('passes for free ports, and leaves them free', async () => {
    const free = await freePort();
    const wanted = [{ owner: 'runs', host: '127.0.0.1', port: free, variable: 'RUNNERLY_RUNS_PORT' }];

    await expect(assertPortsFree(wanted)).resolves.toBeUndefined();
    await expect(assertPortsFree(wanted)).resolves.toBeUndefined();
  });

  it('says when the host is not an address of this machine', async () => {
    await expect(
      assertPortsFree([{ owner: 'the gateway', host: '192.0.2.1', port: 3000, variable: 'GATEWAY_PORT' }]),
    ).rejects.toThrow('Cannot start the gateway: 192.0.2.1 is not an address of this machine.');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
