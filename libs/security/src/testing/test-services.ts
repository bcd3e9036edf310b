/**
 * Where the tests find real PostgreSQL and Redis. The jest global setup of @runnerly/testing decides once
 * per run and publishes the result in these variables, which every test worker inherits. (They live here,
 * dependency-free, so that this library's own specs can use them too.)
 */
export const TEST_ENV = {
  postgresUrl: 'RUNNERLY_TEST_POSTGRES_URL',
  redisUrl: 'RUNNERLY_TEST_REDIS_URL',
  redisUnavailable: 'RUNNERLY_TEST_REDIS_UNAVAILABLE',
  requireAll: 'RUNNERLY_REQUIRE_ALL',
} as const;

/** When set (CI sets it), a suite that would be skipped for a missing service fails instead. */
export function everythingRequired(): boolean {
  return process.env[TEST_ENV.requireAll] === '1';
}

/** The Redis URL for this test run, or undefined when none could be provided. */
export function testRedisUrl(): string | undefined {
  return process.env[TEST_ENV.redisUrl] || undefined;
}

/**
 * `describe` for suites that need Redis. Without Redis the suite is skipped with a loud reason, or
 * fails when everything is required: a skipped security test must never pass unnoticed in CI.
 */
export function describeWithRedis(name: string, body: (redisUrl: () => string) => void): void {
  const url = testRedisUrl();
  if (url) {
    describe(name, () => body(() => url));
    return;
  }
  const reason = process.env[TEST_ENV.redisUnavailable] ?? 'no Redis was provided to this test run';
  if (everythingRequired()) {
    describe(name, () => {
      it('has the Redis it needs', () => {
        throw new Error(`Redis is required (RUNNERLY_REQUIRE_ALL=1) but unavailable: ${reason}`);
      });
    });
    return;
  }
  process.emitWarning(`SKIPPED "${name}": it needs Redis, and ${reason}. Set REDIS_URL or start Docker.`);
  describe.skip(`${name} [skipped: needs Redis]`, () => body(() => ''));
}
