import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { EmbeddedPostgresServer, freePort } from '@runnerly/dev-infra';
import { containerLog } from './compose/stack-containers';
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer, Wait } from 'testcontainers';

/** Image names are never hard-wired: a registry-less machine points these at local stand-ins. */
export const TEST_IMAGES = {
  postgres: () => process.env.POSTGRES_IMAGE ?? 'postgres:17',
  redis: () => process.env.REDIS_IMAGE ?? 'redis:7',
};

export interface TestInfrastructure {
  /** A role that may create databases and roles (a superuser, or what DATABASE_URL gives). */
  postgresUrl: string;
  redisUrl?: string;
  /** Why there is no Redis, when there is none. */
  redisUnavailable?: string;
  /** One line per service: where it came from. */
  summary: string[];
  stop(): Promise<void>;
}

/**
 * The one place that decides where the tests get PostgreSQL and Redis:
 *
 * | service    | 1. given                | 2. Docker engine reachable  | 3. otherwise                 |
 * | PostgreSQL | DATABASE_URL            | container (POSTGRES_IMAGE)  | embedded PostgreSQL 17       |
 * | Redis      | REDIS_URL               | container (REDIS_IMAGE)     | none: suites needing it skip |
 *
 * A given DATABASE_URL must be allowed to create databases and roles: each suite gets its own.
 * RUNNERLY_TEST_DOCKER=0 skips column 2 (no containers even where Docker runs).
 */
export async function startTestInfrastructure(
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestInfrastructure> {
  const stops: (() => Promise<unknown>)[] = [];
  const summary: string[] = [];
  const docker =
    (env.DATABASE_URL && env.REDIS_URL) || env.RUNNERLY_TEST_DOCKER === '0'
      ? false
      : await dockerIsReachable();

  let postgresUrl = env.DATABASE_URL;
  if (postgresUrl) {
    summary.push('PostgreSQL: DATABASE_URL');
  } else if (docker) {
    const container = await startPostgresContainer();
    stops.push(async () => {
      await reportPostgresCrashes(container.getId());
      await container.stop();
    });
    postgresUrl = container.getConnectionUri();
    summary.push(`PostgreSQL: container ${TEST_IMAGES.postgres()}`);
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'runnerly-test-postgres-'));
    const server = new EmbeddedPostgresServer({ dataDir, port: await freePort() });
    postgresUrl = await server.start();
    stops.push(async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    summary.push('PostgreSQL: embedded (no DATABASE_URL, no Docker engine)');
  }

  let redisUrl = env.REDIS_URL;
  let redisUnavailable: string | undefined;
  if (redisUrl) {
    summary.push('Redis: REDIS_URL');
  } else if (docker) {
    const container = await startRedisContainer();
    stops.push(() => container.stop());
    redisUrl = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
    summary.push(`Redis: container ${TEST_IMAGES.redis()}`);
  } else {
    redisUnavailable = 'there is no REDIS_URL and no Docker engine to start Redis in';
    summary.push(`Redis: none (${redisUnavailable})`);
  }

  return {
    postgresUrl,
    redisUrl,
    redisUnavailable,
    summary,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

/**
 * PostgreSQL in a container, ready once the image's final server says so (its init server says it first).
 *
 * The module's default health check would run `sh -c "PGPASSWORD=… pg_isready …"` every 250 ms for the whole run,
 * and on a busy machine Docker kills the shell when a probe outlasts its 1 s timeout. The shell's child, pg_isready,
 * is then orphaned to the container's PID 1, which is the postmaster. When it dies of SIGPIPE writing to the closed
 * probe output, the postmaster takes it for a crashed backend ("server process … was terminated by signal 13:
 * Broken pipe"), ends every session and replays its WAL: whichever suites were connected fail. So the probe here is
 * in exec form (no shell: the process Docker kills is the probe itself, and nothing is left to adopt), rare, and
 * not what readiness waits for.
 */
function startPostgresContainer(): Promise<StartedPostgreSqlContainer> {
  return new PostgreSqlContainer(TEST_IMAGES.postgres())
    .withCommand(['postgres', '-c', 'fsync=off'])
    .withHealthCheck({
      test: ['CMD', 'pg_isready', '--host=127.0.0.1', '--username=test'],
      interval: 30_000,
      timeout: 10_000,
      retries: 3,
    })
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
}

function startRedisContainer(): Promise<StartedTestContainer> {
  return new GenericContainer(TEST_IMAGES.redis())
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start();
}

/**
 * The lines in which PostgreSQL reports that one of its processes died (a crash, a kill, a PANIC) and the
 * statement it was running. After such a death PostgreSQL ends every session and replays its WAL, so any
 * test connecting meanwhile fails with "the database system is not yet accepting connections": these
 * lines, printed at the end of the run, say what caused it, after the container and its log are gone.
 */
function postgresCrashLines(log: string): string[] {
  return log
    .split('\n')
    .filter((line) =>
      /was terminated by signal|server process .* exited with exit code|PANIC:|Failed process was running|reinitializing/.test(
        line,
      ),
    );
}

async function reportPostgresCrashes(containerId: string): Promise<void> {
  const lines = postgresCrashLines(await containerLog({ id: containerId }).catch(() => ''));
  if (lines.length === 0) return;
  process.stderr.write(
    `\nThe test PostgreSQL restarted after one of its processes died during the run:\n  ${lines.join('\n  ')}\n`,
  );
}

async function dockerIsReachable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}
