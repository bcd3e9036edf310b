import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceProcess } from '@runnerly/dev-infra';
import { StackSupervisor } from './stack.supervisor';

// Stand-ins for the services: a ready endpoint, and a line in a shared file when asked to stop.
const FAKE_SERVICE = `
const { appendFileSync } = require('node:fs');
const server = require('node:http').createServer((req, res) => res.end('ok'));
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\\n'));
process.on('SIGTERM', () => { appendFileSync(process.env.STOP_LOG, process.env.NAME + '\\n'); process.exit(0); });
`;
// Ready, then dies a moment later: every time it is started.
const CRASHING_SERVICE = `
const server = require('node:http').createServer((req, res) => res.end('ok'));
server.listen(Number(process.env.PORT), '127.0.0.1', () => setTimeout(() => process.exit(7), 300));
`;
const FAILING_SERVICE = `
process.stdout.write(JSON.stringify({ level: 'fatal', msg: 'Refusing to start: invalid configuration' }) + '\\n');
process.exit(3);
`;

// Each test spawns node processes, which a loaded CI machine can take seconds to start.
jest.setTimeout(30_000);

describe('StackSupervisor', () => {
  let dir: string;
  let notes: string[];
  let stack: StackSupervisor;
  const spawned: ServiceProcess[] = [];

  async function startFake(name: string, script = 'fake-service.js'): Promise<void> {
    const port = await freePort();
    await stack.startService(
      {
        name,
        entry: join(dir, script),
        env: { PORT: String(port), NAME: name, STOP_LOG: join(dir, 'stopped') },
        url: `http://127.0.0.1:${port}`,
        readyTimeoutMs: 10_000,
      },
      async (service) => {
        spawned.push(service);
      },
    );
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-stack-supervisor-'));
    await writeFile(join(dir, 'fake-service.js'), FAKE_SERVICE);
    await writeFile(join(dir, 'failing-service.js'), FAILING_SERVICE);
    await writeFile(join(dir, 'stopped'), '');
    await writeFile(join(dir, 'crashing-service.js'), CRASHING_SERVICE);
    // This stack's notes only: a stack left behind by a failed test must not write into the next test's.
    const stackNotes: string[] = (notes = []);
    stack = new StackSupervisor((message) => stackNotes.push(message), {
      maxCrashes: 3,
      windowMs: 60_000,
      firstDelayMs: 50,
      maxDelayMs: 100,
    });
  });

  afterEach(async () => {
    for (const service of spawned.splice(0)) service.killNow();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts services one after the other, each once ready, and stops them in reverse order', async () => {
    await startFake('users');
    await startFake('runs');
    await startFake('gateway');

    await stack.stop();

    expect(await readFile(join(dir, 'stopped'), 'utf8')).toBe('gateway\nruns\nusers\n');
    expect(notes.filter((note) => note.startsWith('Stopped'))).toEqual([
      'Stopped gateway',
      'Stopped runs',
      'Stopped users',
    ]);
    // Exiting because they were asked to is no crash: none of them comes back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(notes.filter((note) => note.includes('restarting'))).toEqual([]);
    expect(spawned).toHaveLength(3);
    expect(notes[0]).toMatch(/^users is ready on http:\/\/127\.0\.0\.1:\d+ \(\d+\.\d s\)$/);
  });

  it('fails the stack, with the service last output, when a service exits before it is ready', async () => {
    await expect(startFake('users', 'failing-service.js')).rejects.toThrow('users exited with code 3');

    expect(await stack.ended).toEqual({
      kind: 'failure',
      message: 'users exited with code 3 before it was ready',
      lastOutput: {
        service: 'users',
        lines: ['{"level":"fatal","msg":"Refusing to start: invalid configuration"}'],
      },
    });
  });

  it('restarts a running service that dies, says so, and the service answers again', async () => {
    await startFake('users');
    const { url } = spawned[0]!;

    spawned[0]!.killNow();

    await waitFor(() => notes.includes(`users is back on ${url}`));
    expect(notes).toContain('users was killed by a signal: restarting it in 0.1 s (crash 1 within 60 s)');
    expect(spawned).toHaveLength(2);
    expect(await (await fetch(url)).text()).toBe('ok');
    expect(stack.isEnding).toBe(false);
    await stack.stop();
    expect(await readFile(join(dir, 'stopped'), 'utf8')).toBe('users\n');
  });

  it('stops the stack on a crash loop, naming the service and its exit', async () => {
    await startFake('users', 'crashing-service.js');

    expect(await stack.ended).toEqual({
      kind: 'failure',
      message: 'users exited with code 7, crash 3 within 60 s: a crash loop',
      lastOutput: { service: 'users', lines: [''] },
    });
    expect(notes.filter((note) => note.includes('restarting it'))).toEqual([
      'users exited with code 7: restarting it in 0.1 s (crash 1 within 60 s)',
      'users exited with code 7: restarting it in 0.1 s (crash 2 within 60 s)',
    ]);
  });

  it('keeps the first end: a service that exits once a stop was asked for is no failure', async () => {
    await startFake('users');

    expect(stack.end({ kind: 'stop', signal: 'SIGINT' })).toBe(true);
    spawned[0]!.killNow();
    await spawned[0]!.waitForExit();

    expect(stack.end({ kind: 'stop', signal: 'SIGTERM' })).toBe(false);
    expect(await stack.ended).toEqual({ kind: 'stop', signal: 'SIGINT' });
  });

  it('starts nothing more once the stack is ending', async () => {
    stack.end({ kind: 'stop', signal: 'SIGINT' });

    await expect(startFake('users')).rejects.toThrow('The stack is stopping');
    expect(spawned).toEqual([]);
  });
});

/** Polls until `condition` holds; gives up after `timeoutMs`, so a failed test never polls for ever. */
async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
