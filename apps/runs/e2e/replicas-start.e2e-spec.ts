import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@runnerly/security';
import { initTestApp, JwksServer, LogCapture, TestKeys } from '@runnerly/security/testing';
import { createTestDatabase, type TestDatabase } from '@runnerly/testing';
import { createRunsApp } from '../src/runs.app';
import { RunsConfig } from '../src/runs.config';
import { RUNS_MIGRATIONS } from '../src/runs.module';

const REPLICAS = 3;

let db: TestDatabase;
let jwks: JwksServer;
const apps: NestFastifyApplication[] = [];

beforeAll(async () => {
  [db, jwks] = await Promise.all([
    createTestDatabase('runs_replicas'),
    JwksServer.start(TestKeys.generate().ring.jwks()),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await jwks?.close();
  await db?.drop();
});

it('starts replicas together on a fresh database: each migration is applied once (an advisory lock takes turns)', async () => {
  const config = loadConfig(RunsConfig, {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    JWKS_URL: jwks.url,
  });
  const started = await Promise.allSettled(
    Array.from({ length: REPLICAS }, () =>
      createRunsApp(config, { logDestination: new LogCapture() }).then(initTestApp),
    ),
  );
  for (const result of started) if (result.status === 'fulfilled') apps.push(result.value);

  expect(started.map(({ status }) => status)).toEqual(Array(REPLICAS).fill('fulfilled'));
  const applied = await db.query<{ name: string; times: number }>(
    'SELECT name, count(*)::int AS times FROM migrations GROUP BY name',
  );
  expect(applied).toHaveLength(RUNS_MIGRATIONS.length);
  expect(applied.every(({ times }) => times === 1)).toBe(true);
}, 60_000);
