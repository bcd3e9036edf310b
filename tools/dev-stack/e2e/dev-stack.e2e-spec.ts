import { access, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createServer, type Server } from 'node:net';
import { basename, join } from 'node:path';
import { type TLSSocket } from 'node:tls';
import { type CaughtMail, EmbeddedPostgresServer, provisionServiceDatabase } from '@runnerly/dev-infra';
import { generateSecret } from '@runnerly/security/secrets';
import { createTransport } from 'nodemailer';
import {
  freeStackPorts,
  isPortFree,
  isRunning,
  LauncherProcess,
  launcherEnv,
  logIn,
  makeStateDir,
  pidExists,
  postmasterPid,
  processGroupOf,
  recordedServicePids,
  registerAndLogIn,
  runBackupCommand,
  type StackPorts,
  stopLeftovers,
  waitUntil,
} from './support/launcher-process';

// Real processes: the built launcher, the mail catcher, three services, PostgreSQL. A start takes 5-15 s.
jest.setTimeout(180_000);

const isReady = (url: string) =>
  fetch(`${url}/health/ready`).then(
    (response) => response.ok,
    () => false,
  );

/** GET over HTTPS trusting `ca` only, as `curl --cacert` does: the status and the TLS version. */
const httpsGet = (url: string, ca: string) =>
  new Promise<{ status: number; protocol: string | null }>((resolve, reject) => {
    const request = httpsRequest(url, { ca, servername: 'localhost', agent: false }, (response) => {
      response.resume();
      resolve({ status: response.statusCode!, protocol: (response.socket as TLSSocket).getProtocol() });
    });
    request.on('error', reject);
    request.end();
  });

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('npm start, on its embedded PostgreSQL', () => {
  // The tests run in order on one state folder: PostgreSQL is initialised once, as on a developer's machine.
  let stateDir: string;
  let ports: StackPorts;
  let gatewayUrl: string;
  const launchers: LauncherProcess[] = [];
  const start = (extra: NodeJS.ProcessEnv = {}) => {
    const launcher = LauncherProcess.start(launcherEnv(stateDir, ports, extra));
    launchers.push(launcher);
    return launcher;
  };
  const firstAccount = { email: 'ada@example.com', password: 'a long and unusual passphrase 7' };
  let first: LauncherProcess;
  /** `npm run backup` / `npm run restore` on this stack, as npm runs them after the build. */
  const backupCommand = (args: string[]) => runBackupCommand(args, launcherEnv(stateDir, ports));

  beforeAll(async () => {
    stateDir = await makeStateDir();
    ports = await freeStackPorts();
    gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  });

  afterAll(async () => {
    for (const launcher of launchers) launcher.stopIfRunning();
    await Promise.all(launchers.map((launcher) => launcher.exited));
    await stopLeftovers(stateDir);
    await rm(stateDir, { recursive: true, force: true });
  });

  it('brings up PostgreSQL, the mail catcher, users, runs and the gateway, which serves the API through all of them', async () => {
    first = start();
    await first.waitUntilUp();

    const ready = await fetch(`${gatewayUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await registerAndLogIn(gatewayUrl, firstAccount.email)).toEqual(
      expect.objectContaining({ accessToken: expect.any(String) }),
    );
    expect(Object.keys(await recordedServicePids(stateDir))).toEqual(['mail', 'users', 'runs', 'gateway']);
    expect(await isRunning(await postmasterPid(stateDir))).toBe(true);
  });

  it('writes JSON lines when stdout is not a terminal, one object per line, each naming its service', () => {
    const records = first.stdoutLines.map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(records.every((record) => typeof record.service === 'string')).toBe(true);
    expect(new Set(records.map((record) => record.service))).toEqual(
      new Set(['dev-stack', 'postgres', 'mail', 'users', 'runs', 'gateway']),
    );
    expect(records.find((record) => record.msg === 'Runnerly is up')).toMatchObject({
      gateway: {
        url: `http://localhost:${ports.gateway}`,
        docs: `http://localhost:${ports.gateway}/docs`,
        ready: `http://localhost:${ports.gateway}/health/ready`,
      },
      database: { kind: 'embedded', address: `127.0.0.1:${ports.postgres}` },
      rateLimiting: { store: 'memory' },
      metrics: {
        users: `http://127.0.0.1:${ports.usersMetrics}/metrics`,
        runs: `http://127.0.0.1:${ports.runsMetrics}/metrics`,
        gateway: `http://127.0.0.1:${ports.gatewayMetrics}/metrics`,
      },
      mail: {
        smtp: `smtp://127.0.0.1:${ports.mailSmtp}`,
        mails: `http://127.0.0.1:${ports.mailHttp}/mails`,
      },
    });
  });

  it.each(['users', 'runs', 'gateway'] as const)(
    'serves the metrics of %s where the summary says, each series labelled with that service',
    async (service) => {
      const answer = await fetch(`http://127.0.0.1:${ports[`${service}Metrics`]}/metrics`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain(`process_cpu_seconds_total{service="${service}"}`);
    },
  );

  it("gives users the mail catcher and the gateway's origin, and shows each mail caught in its output and at /mails", async () => {
    const { users } = await recordedServicePids(stateDir);
    const environment = (await readFile(`/proc/${users}/environ`, 'utf8')).split('\0');
    expect(environment).toEqual(
      expect.arrayContaining([
        `SMTP_URL=smtp://127.0.0.1:${ports.mailSmtp}`,
        `PUBLIC_ORIGIN=http://localhost:${ports.gateway}`,
      ]),
    );

    // What users does with that SMTP_URL (nodemailer, over SMTP), with a link on that origin.
    const link = `http://localhost:${ports.gateway}/reset-password#token=${generateSecret()}`;
    await createTransport(`smtp://127.0.0.1:${ports.mailSmtp}`).sendMail({
      from: 'Runnerly <no-reply@runnerly.localhost>',
      to: 'grace@example.com',
      subject: 'Reset your Runnerly password',
      text: `Open this link to choose a new password:\n\n${link}`,
    });

    expect(await waitUntil(() => first.output.includes(link))).toBe(true);
    const printed = first.records.filter((record) => record.service === 'mail' && 'subject' in record);
    expect(printed.map((record) => record.msg)).toContain(
      'Mail to grace@example.com: Reset your Runnerly password',
    );
    const answer = await fetch(`http://127.0.0.1:${ports.mailHttp}/mails?to=grace@example.com`);
    const caught = (await answer.json()) as CaughtMail[];
    expect(caught.map((mail) => mail.text)).toEqual([`Open this link to choose a new password:\n\n${link}`]);
  });

  it('keeps the generated secrets in a private folder and never prints them', async () => {
    const secretsDir = join(stateDir, 'secrets');
    const files = await readdir(secretsDir);
    expect((await stat(secretsDir)).mode & 0o777).toBe(0o700);
    expect(files).toEqual(
      expect.arrayContaining(['users-db-password', 'runs-db-password', 'postgres-superuser-password']),
    );
    for (const file of files) {
      const secret = (await readFile(join(secretsDir, file), 'utf8')).trim();
      expect(first.output).not.toContain(
        secret.split('\n').find((line) => !line.startsWith('-----')) ?? secret,
      );
    }
  });

  it('restarts the embedded PostgreSQL after kill -9, and an account registered before the kill still logs in', async () => {
    const grace = { email: 'grace@example.com', password: 'a long and unusual passphrase 7' };
    await registerAndLogIn(gatewayUrl, grace.email);
    const killed = await postmasterPid(stateDir);

    process.kill(killed, 'SIGKILL');

    expect(await waitUntil(() => first.output.includes('PostgreSQL is back'), 30_000)).toBe(true);
    expect(first.output).toContain(
      'PostgreSQL killed by SIGKILL: restarting it in 0.5 s (crash 1 within 60 s)',
    );
    expect(await postmasterPid(stateDir)).not.toBe(killed);
    expect(await waitUntil(() => isReady(gatewayUrl), 30_000)).toBe(true);
    expect(await logIn(gatewayUrl, grace)).toEqual(
      expect.objectContaining({ accessToken: expect.any(String) }),
    );
  });

  it('restarts a service after kill -9, saying so, and the stack answers again', async () => {
    const { runs: killed } = await recordedServicePids(stateDir);

    process.kill(killed, 'SIGKILL');

    expect(await waitUntil(() => first.output.includes('runs is back on'), 30_000)).toBe(true);
    expect(first.output).toMatch(
      /runs was killed by a signal: restarting it in \d\.\d s \(crash \d within 60 s\)/,
    );
    expect((await recordedServicePids(stateDir)).runs).not.toBe(killed);
    expect(await waitUntil(() => isReady(gatewayUrl), 30_000)).toBe(true);
    expect(first.exitCode).toBeNull();
  });

  it('npm run backup writes one encrypted file per database; npm run restore brings their rows back', async () => {
    const created = await backupCommand(['create']);

    expect(created.status).toBe(0);
    // By default, a new folder named after the time, under the state folder's backups/ (created on first use).
    const folder = /^Backed up users to (.+)\/users\.backup/m.exec(created.stdout)?.[1] ?? '';
    expect(folder.startsWith(`${stateDir}/backups/`)).toBe(true);
    expect(basename(folder)).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(created.stdout).toMatch(/^Backed up users to .+users\.backup \(\d+ bytes\)$/m);
    expect(created.stdout).toMatch(/^Backed up runs to .+runs\.backup \(\d+ bytes\)$/m);
    for (const file of [
      join(folder, 'users.backup'),
      join(folder, 'runs.backup'),
      join(stateDir, 'secrets', 'users-backup-key'),
      join(stateDir, 'secrets', 'runs-backup-key'),
    ]) {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    }
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect((await readFile(join(folder, 'users.backup'))).includes(firstAccount.email)).toBe(false);

    const later = { email: 'later@example.com', password: firstAccount.password };
    await registerAndLogIn(gatewayUrl, later.email);
    const restored = await backupCommand(['restore', folder]);

    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/^Restored \d+ rows in \d+ tables of users$/m);
    expect(restored.stdout).toMatch(/^Restored \d+ rows in \d+ tables of runs$/m);
    expect(await logIn(gatewayUrl, firstAccount)).toEqual(
      expect.objectContaining({ accessToken: expect.any(String) }),
    );
    await expect(logIn(gatewayUrl, later)).rejects.toThrow('login answered 401');
  });

  it('npm run restore checks every backup before it touches any database', async () => {
    const [folder] = (await readdir(join(stateDir, 'backups'))).map((name) =>
      join(stateDir, 'backups', name),
    );
    const tampered = join(stateDir, 'backup-tampered');
    await mkdir(tampered);
    await copyFile(join(folder, 'users.backup'), join(tampered, 'users.backup'));
    const runsBackup = await readFile(join(folder, 'runs.backup'));
    runsBackup[runsBackup.length - 1] ^= 0x01;
    await writeFile(join(tampered, 'runs.backup'), runsBackup);
    const after = { email: 'after@example.com', password: firstAccount.password };
    await registerAndLogIn(gatewayUrl, after.email);

    const restored = await backupCommand(['restore', tampered]);

    expect(restored.status).toBe(1);
    expect(restored.stderr).toContain('The backup cannot be opened: it was altered or damaged');
    expect(restored.stdout).not.toContain('Restored');
    // users.backup was intact, yet users' database was left alone: the account made after the backup remains.
    expect(await logIn(gatewayUrl, after)).toEqual(
      expect.objectContaining({ accessToken: expect.any(String) }),
    );
  });

  it('on Ctrl-C, stops the gateway, runs, users, the mail catcher, then PostgreSQL, leaving no process or port behind', async () => {
    const services = await recordedServicePids(stateDir);
    const postgres = await postmasterPid(stateDir);
    // A terminal's Ctrl-C signals its whole foreground group: were PostgreSQL or a service in the
    // launcher's group, it would stop at once, PostgreSQL under running services.
    const launcherGroup = await processGroupOf(first.pid);
    for (const pid of [...Object.values(services), postgres]) {
      expect(await processGroupOf(pid)).not.toBe(launcherGroup);
    }

    first.pressCtrlC();

    expect(await first.exited).toEqual({ code: 0, signal: null });
    const stops = first.records.map((record) => record.msg).filter((msg) => /^Stopped /.test(String(msg)));
    expect(stops).toEqual([
      'Stopped gateway',
      'Stopped runs',
      'Stopped users',
      'Stopped mail',
      'Stopped PostgreSQL',
    ]);
    expect(first.output).not.toContain('terminating connection due to administrator command');
    for (const pid of [...Object.values(services), postgres]) expect(pidExists(pid)).toBe(false);
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
    expect(await exists(join(stateDir, 'stack.pid.json'))).toBe(false);
  });

  it('refuses a second launcher on the same state folder while the first one runs', async () => {
    const running = start();
    await running.waitUntilUp();

    const second = start();

    expect((await second.exited).code).toBe(1);
    expect(second.stderrLines.join('\n')).toContain(
      `Runnerly did not start: Runnerly is already running from ${stateDir} (the launcher with pid ${running.pid})`,
    );
    expect((await fetch(`${gatewayUrl}/health/ready`)).status).toBe(200);
  });

  it('recovers after kill -9 of the launcher: stops the orphaned services and PostgreSQL, then starts', async () => {
    const killed = launchers[launchers.length - 2]!;
    const orphans = await recordedServicePids(stateDir);
    const orphanedPostgres = await postmasterPid(stateDir);

    killed.signal('SIGKILL');
    await killed.exited;
    for (const pid of [...Object.values(orphans), orphanedPostgres]) expect(await isRunning(pid)).toBe(true);

    // Same ports: the orphans hold them until the new launcher stops them. Pretty logs, as in a terminal.
    const next = start({ LOG_FORMAT: 'pretty' });
    await next.waitUntilUp();

    // Stopped orphans are re-parented to init; one that does not reap leaves zombies, hence isRunning.
    for (const pid of [...Object.values(orphans), orphanedPostgres]) expect(await isRunning(pid)).toBe(false);
    for (const [name, pid] of Object.entries(orphans)) {
      expect(next.output).toContain(
        `Stopped ${name} (pid ${pid}), left running by a previous launcher (pid ${killed.pid})`,
      );
    }
    expect(next.output).toContain(`Stopping an orphaned PostgreSQL server (pid ${orphanedPostgres})`);
    // The data survived, and the new stack serves it.
    expect(await logIn(gatewayUrl, firstAccount)).toEqual(
      expect.objectContaining({ accessToken: expect.any(String) }),
    );

    // In a terminal (LOG_FORMAT=pretty here), each line names its service and the summary is text.
    expect(next.stdoutLines.some((line) => /INFO: \[users\] /.test(line))).toBe(true);
    expect(next.output).toContain(`  Gateway      http://localhost:${ports.gateway}`);
    expect(next.output).toContain(`  API docs     http://localhost:${ports.gateway}/docs`);

    next.signal('SIGINT');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  });

  it('stops the whole stack, saying why, when a service keeps crashing (5 times within 60 s), and exits with 1', async () => {
    const looping = start();
    await looping.waitUntilUp();

    // Each restart is killed as soon as its pid is recorded: a service that cannot stay up.
    for (let crash = 1; crash <= 5; crash++) {
      const { runs } = await recordedServicePids(stateDir);
      process.kill(runs, 'SIGKILL');
      if (crash < 5) {
        await waitUntil(async () => (await recordedServicePids(stateDir)).runs !== runs, 15_000);
      }
    }

    expect((await looping.exited).code).toBe(1);
    expect(looping.output).toContain('runs was killed by a signal, crash 5 within 60 s: a crash loop');
    expect(looping.output).toContain('restarting it in 4.0 s (crash 4 within 60 s)');
    expect(await exists(join(stateDir, 'stack.pid.json'))).toBe(false);
  });
});

describe('npm start, with USERS_DATABASE_URL and RUNS_DATABASE_URL', () => {
  let postgresDir: string;
  let postgres: EmbeddedPostgresServer;
  let postgresPort: number;
  let databaseUrls: { USERS_DATABASE_URL: string; RUNS_DATABASE_URL: string };
  let stateDir: string;

  beforeAll(async () => {
    // "Your own PostgreSQL": one started here, with a database and a role per service provisioned on it.
    postgresDir = await makeStateDir();
    postgresPort = (await freeStackPorts()).postgres;
    postgres = new EmbeddedPostgresServer({ dataDir: join(postgresDir, 'postgres'), port: postgresPort });
    const superuserUrl = await postgres.start();
    const urlOf = async (service: string) => {
      const password = generateSecret();
      await provisionServiceDatabase(superuserUrl, { database: service, role: service, password });
      return `postgresql://${service}:${password}@127.0.0.1:${postgresPort}/${service}`;
    };
    databaseUrls = { USERS_DATABASE_URL: await urlOf('users'), RUNS_DATABASE_URL: await urlOf('runs') };
    stateDir = await makeStateDir();
  });

  afterAll(async () => {
    await postgres.stop();
    await rm(postgresDir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  });

  it('uses those databases as they are and starts no PostgreSQL of its own', async () => {
    const ports = await freeStackPorts();
    const launcher = LauncherProcess.start(launcherEnv(stateDir, ports, databaseUrls));
    try {
      await launcher.waitUntilUp();

      const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
      await registerAndLogIn(gatewayUrl, 'grace@example.com');
      expect(launcher.records.find((record) => record.msg === 'Runnerly is up')).toMatchObject({
        database: {
          kind: 'external',
          urls: { users: `127.0.0.1:${postgresPort}/users`, runs: `127.0.0.1:${postgresPort}/runs` },
        },
      });
      expect(launcher.records.some((record) => record.service === 'postgres')).toBe(false);
      expect(await exists(join(stateDir, 'postgres'))).toBe(false);
      expect(await isPortFree(ports.postgres)).toBe(true);
      for (const url of Object.values(databaseUrls)) {
        expect(launcher.output).not.toContain(new URL(url).password);
      }
    } finally {
      launcher.signal('SIGINT');
    }
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    // Not the launcher's to stop.
    expect(postgres.isRunning).toBe(true);
  });

  it('with RUNNERLY_HTTPS=1, serves the gateway over HTTPS with a certificate from a CA it made once and keeps', async () => {
    const ports = await freeStackPorts();
    const env = launcherEnv(stateDir, ports, { ...databaseUrls, RUNNERLY_HTTPS: '1' });
    const first = LauncherProcess.start(env);
    const tls = join(stateDir, 'tls');
    try {
      await first.waitUntilUp();
      const ca = await readFile(join(tls, 'ca.pem'), 'utf8');

      expect(await httpsGet(`https://127.0.0.1:${ports.gateway}/health/ready`, ca)).toEqual({
        status: 200,
        protocol: 'TLSv1.3',
      });
      await expect(fetch(`http://127.0.0.1:${ports.gateway}/health/ready`)).rejects.toThrow();
      expect(first.output).toContain('Created a development CA in');
      expect(first.records.find((record) => record.msg === 'Runnerly is up')).toMatchObject({
        gateway: { url: `https://localhost:${ports.gateway}` },
        https: { caFile: expect.stringMatching(/tls\/ca\.pem$/) },
      });
      for (const [file, mode] of [
        ['ca-key.pem', 0o600],
        ['gateway-key.pem', 0o600],
        ['.', 0o700],
      ] as const) {
        expect((await stat(join(tls, file))).mode & 0o777).toBe(mode);
      }
      expect(first.output).not.toContain('PRIVATE KEY');
    } finally {
      first.signal('SIGINT');
    }
    expect(await first.exited).toEqual({ code: 0, signal: null });

    // The next start trusts the same CA: a browser told to trust it once keeps opening the stack.
    const [ca, certificate] = await Promise.all(
      ['ca.pem', 'gateway.pem'].map((file) => readFile(join(tls, file), 'utf8')),
    );
    const second = LauncherProcess.start(env);
    try {
      await second.waitUntilUp();
      expect(await readFile(join(tls, 'ca.pem'), 'utf8')).toBe(ca);
      expect(await readFile(join(tls, 'gateway.pem'), 'utf8')).toBe(certificate);
      expect(second.output).not.toContain('Created a development CA');
      expect((await httpsGet(`https://127.0.0.1:${ports.gateway}/health/ready`, ca)).status).toBe(200);
    } finally {
      second.signal('SIGINT');
    }
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses only one of the two, before starting anything', async () => {
    const launcher = LauncherProcess.start(
      launcherEnv(stateDir, await freeStackPorts(), { USERS_DATABASE_URL: databaseUrls.USERS_DATABASE_URL }),
    );

    expect((await launcher.exited).code).toBe(1);
    expect(launcher.stderrLines.join('\n')).toContain(
      'USERS_DATABASE_URL is set but RUNS_DATABASE_URL is not: set every one to use your own PostgreSQL databases',
    );
    expect(launcher.output).not.toContain(new URL(databaseUrls.USERS_DATABASE_URL).password);
  });
});

describe('npm start, when a port is taken', () => {
  let squatter: Server;
  let stateDir: string;

  afterEach(async () => {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await rm(stateDir, { recursive: true, force: true });
  });

  it('names the port and the variable that moves it, starts nothing, and exits with 1', async () => {
    stateDir = await makeStateDir();
    const ports = await freeStackPorts();
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(ports.runs, '127.0.0.1', resolve));

    const launcher = LauncherProcess.start(launcherEnv(stateDir, ports));

    expect((await launcher.exited).code).toBe(1);
    expect(launcher.stderrLines.join('\n')).toContain(
      `Runnerly stopped: Cannot start runs: port ${ports.runs} on 127.0.0.1 is already in use by another ` +
        `program. Stop that program ("ss -ltnp 'sport = :${ports.runs}'" shows which one), or choose another ` +
        'port with RUNNERLY_RUNS_PORT=<port>.',
    );
    // Checked before anything started: no PostgreSQL initialised, no service, no pid file left.
    expect(await exists(join(stateDir, 'postgres'))).toBe(false);
    expect(await exists(join(stateDir, 'stack.pid.json'))).toBe(false);
    expect(await waitUntil(() => isPortFree(ports.users))).toBe(true);
  });
});
