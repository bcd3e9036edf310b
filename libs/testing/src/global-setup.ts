import { startTestInfrastructure, type TestInfrastructure } from './test-infrastructure';
import { everythingRequired, TEST_ENV } from '@runnerly/security/testing';

const STARTED = Symbol.for('runnerly:test-infrastructure');
type GlobalWithInfrastructure = typeof globalThis & { [STARTED]?: TestInfrastructure };

/**
 * Jest global setup: starts PostgreSQL (and Redis when possible) once per test run and publishes their
 * URLs to every worker through environment variables. Several projects list it; only the first call
 * starts anything.
 */
export default async function setUpTestInfrastructure(): Promise<void> {
  const holder = globalThis as GlobalWithInfrastructure;
  if (holder[STARTED] || process.env[TEST_ENV.postgresUrl]) return;

  const infrastructure = await startTestInfrastructure();
  holder[STARTED] = infrastructure;
  process.env[TEST_ENV.postgresUrl] = infrastructure.postgresUrl;
  if (infrastructure.redisUrl) process.env[TEST_ENV.redisUrl] = infrastructure.redisUrl;
  if (infrastructure.redisUnavailable)
    process.env[TEST_ENV.redisUnavailable] = infrastructure.redisUnavailable;
  process.stderr.write(`\nTest infrastructure:\n  ${infrastructure.summary.join('\n  ')}\n`);

  if (everythingRequired() && !infrastructure.redisUrl) {
    await infrastructure.stop();
    throw new Error(`RUNNERLY_REQUIRE_ALL=1 but Redis is unavailable: ${infrastructure.redisUnavailable}`);
  }
}
