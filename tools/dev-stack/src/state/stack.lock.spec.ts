import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProcessIdentity, readProcessIdentity } from '@runnerly/dev-infra';
import { PID_FILE, StackLock } from './stack.lock';

describe('StackLock', () => {
  let stateDir: string;
  let entries: { users: string; runs: string; gateway: string };
  let notes: string[];
  const children: ChildProcess[] = [];

  const claim = () => StackLock.claim(stateDir, { entries, note: (message) => notes.push(message) });
  const readRecord = async () => JSON.parse(await readFile(join(stateDir, PID_FILE), 'utf8'));

  /** A long-running `node <entry>`: what a service looks like in /proc. */
  async function startFakeService(entry: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, [entry], { stdio: 'ignore' });
    children.push(child);
    await waitFor(async () => (await readProcessIdentity(child.pid!))?.commandLine[1] === entry);
    return child;
  }

  /** The identity of a launcher that has since died (killed with SIGKILL). */
  async function deadLauncher(): Promise<ProcessIdentity> {
    const child = await startFakeService(join(stateDir, 'launcher.js'));
    const identity = (await readProcessIdentity(child.pid!))!;
    child.kill('SIGKILL');
    await once(child, 'exit');
    return identity;
  }

  async function writeRecord(launcher: ProcessIdentity, services: ProcessIdentity[], names: string[]) {
    const record = { launcher, services: services.map((service, i) => ({ name: names[i], ...service })) };
    await writeFile(join(stateDir, PID_FILE), JSON.stringify(record));
  }

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'dev-stack-lock-'));
    entries = {
      users: join(stateDir, 'users.js'),
      runs: join(stateDir, 'runs.js'),
      gateway: join(stateDir, 'gateway.js'),
    };
    for (const entry of [
      ...Object.values(entries),
      join(stateDir, 'launcher.js'),
      join(stateDir, 'other.js'),
    ]) {
      await writeFile(entry, 'setInterval(() => {}, 60_000);');
    }
    notes = [];
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await rm(stateDir, { recursive: true, force: true });
  });

  it('records this launcher, then each service it spawns, by pid, command line and start time', async () => {
    const lock = await claim();
    const users = await startFakeService(entries.users);
    await lock.recordService('users', users.pid!);

    const record = await readRecord();
    expect(record.launcher).toEqual(await readProcessIdentity(process.pid));
    expect(record.services).toEqual([{ name: 'users', ...(await readProcessIdentity(users.pid!)) }]);
  });

  it('replaces the entry of a restarted service instead of keeping its dead predecessor', async () => {
    const lock = await claim();
    await lock.recordService('users', (await startFakeService(entries.users)).pid!);
    await lock.recordService('runs', (await startFakeService(entries.runs)).pid!);
    const restarted = await startFakeService(entries.users);
    await lock.recordService('users', restarted.pid!);

    const { services } = (await readRecord()) as { services: { name: string; pid: number }[] };
    expect(services.map((service) => [service.name, service.pid])).toEqual([
      ['users', restarted.pid],
      ['runs', expect.any(Number)],
    ]);
  });

  it('refuses to start while the launcher recorded there is alive', async () => {
    await claim();

    await expect(claim()).rejects.toThrow(
      `Runnerly is already running from ${stateDir} (the launcher with pid ${process.pid}). Stop it first ` +
        `(Ctrl-C in its terminal, or "kill -INT ${process.pid}"), or give this one its own RUNNERLY_STATE_DIR and ports.`,
    );
  });

  it('stops the services left running by a launcher that was killed, gateway first', async () => {
    const users = await startFakeService(entries.users);
    const gateway = await startFakeService(entries.gateway);
    const launcher = await deadLauncher();
    await writeRecord(
      launcher,
      [(await readProcessIdentity(users.pid!))!, (await readProcessIdentity(gateway.pid!))!],
      ['users', 'gateway'],
    );

    const exits = Promise.all([once(users, 'exit'), once(gateway, 'exit')]);

    await claim();

    expect(await exits).toEqual([
      [null, 'SIGTERM'],
      [null, 'SIGTERM'],
    ]);
    expect(notes).toEqual([
      `Stopped gateway (pid ${gateway.pid}), left running by a previous launcher (pid ${launcher.pid}) that ended without stopping it`,
      `Stopped users (pid ${users.pid}), left running by a previous launcher (pid ${launcher.pid}) that ended without stopping it`,
    ]);
    expect((await readRecord()).launcher.pid).toBe(process.pid);
  });

  it('never signals a recorded pid now used by another program (other command line or start time)', async () => {
    const other = await startFakeService(join(stateDir, 'other.js'));
    const otherIdentity = (await readProcessIdentity(other.pid!))!;
    const signalled = jest.spyOn(process, 'kill');
    await writeRecord(
      await deadLauncher(),
      [
        { ...otherIdentity, commandLine: [process.execPath, entries.users] }, // same pid, other program
        { ...otherIdentity, startTicks: otherIdentity.startTicks - 1 }, // same pid and program, reused
      ],
      ['users', 'runs'],
    );

    await claim();

    expect(signalled.mock.calls.filter(([, signal]) => signal !== 0 && signal !== undefined)).toEqual([]);
    expect(other.exitCode).toBeNull();
    expect(notes).toEqual([]);
  });

  it('never signals a recorded process that is not one of the service entry points', async () => {
    const other = await startFakeService(join(stateDir, 'other.js'));
    await writeRecord(await deadLauncher(), [(await readProcessIdentity(other.pid!))!], ['users']);

    await claim();

    expect(other.exitCode).toBeNull();
    expect(other.signalCode).toBeNull();
  });

  it('replaces a pid file it cannot read, saying so', async () => {
    await writeFile(join(stateDir, PID_FILE), 'not json');

    await claim();

    expect(notes).toEqual([
      `Ignoring ${join(stateDir, PID_FILE)}: it is not a pid file written by this launcher`,
    ]);
    expect((await readRecord()).launcher.pid).toBe(process.pid);
  });

  it('removes its pid file when released, but not one another launcher wrote since', async () => {
    const lock = await claim();
    lock.release();
    await expect(readFile(join(stateDir, PID_FILE))).rejects.toThrow('ENOENT');

    const other = await claim();
    await writeRecord(await deadLauncher(), [], []);
    other.release();
    expect((await readRecord()).launcher.pid).not.toBe(process.pid);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
