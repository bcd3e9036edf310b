import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { isSameProcessRunning, readProcessIdentity, stopRecordedProcess } from './process-identity';

describe('process identity', () => {
  const children: ChildProcess[] = [];

  /** A Node process that ignores SIGTERM when asked to, the way a hung service would. */
  async function startChild(ignoreSigterm = false): Promise<ChildProcess> {
    const script = `${ignoreSigterm ? "process.on('SIGTERM', () => {});" : ''} process.stdout.write('up'); setInterval(() => {}, 60000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(child);
    await once(child.stdout!, 'data');
    return child;
  }

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('reads the command line and start time of a running process', async () => {
    const child = await startChild();

    const identity = await readProcessIdentity(child.pid!);

    expect(identity).toEqual({
      pid: child.pid,
      commandLine: [process.execPath, '-e', expect.stringContaining('setInterval')],
      startTicks: expect.any(Number),
    });
    expect(await isSameProcessRunning(identity!)).toBe(true);
  });

  it('finds no identity for a process that has exited', async () => {
    const child = await startChild();
    const identity = (await readProcessIdentity(child.pid!))!;
    child.kill('SIGKILL');
    await once(child, 'exit');

    expect(await readProcessIdentity(child.pid!)).toBeUndefined();
    expect(await isSameProcessRunning(identity)).toBe(false);
  });

  it('tells a reused pid from the recorded process by its start time or command line', async () => {
    const identity = (await readProcessIdentity(process.pid))!;

    expect(await isSameProcessRunning(identity)).toBe(true);
    expect(await isSameProcessRunning({ ...identity, startTicks: identity.startTicks + 1 })).toBe(false);
    expect(
      await isSameProcessRunning({ ...identity, commandLine: ['node', 'apps/users/dist/main.js'] }),
    ).toBe(false);
  });

  it('stops a recorded process with SIGTERM', async () => {
    const child = await startChild();
    const exited = once(child, 'exit');

    expect(await stopRecordedProcess((await readProcessIdentity(child.pid!))!, 5_000)).toBe('stopped');
    expect(await exited).toEqual([null, 'SIGTERM']);
  });

  it('kills a recorded process that ignores SIGTERM once the time is up', async () => {
    const child = await startChild(true);
    const exited = once(child, 'exit');

    expect(await stopRecordedProcess((await readProcessIdentity(child.pid!))!, 300)).toBe('killed');
    expect(await exited).toEqual([null, 'SIGKILL']);
  });

  it('never signals a process that no longer matches the record', async () => {
    const identity = (await readProcessIdentity(process.pid))!;
    const signalled = jest.spyOn(process, 'kill');

    expect(await stopRecordedProcess({ ...identity, startTicks: identity.startTicks - 1 }, 1_000)).toBe(
      'not-running',
    );
    expect(signalled.mock.calls.filter(([, signal]) => signal !== 0 && signal !== undefined)).toEqual([]);
  });
});
