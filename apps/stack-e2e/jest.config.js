// The suites start the built services as child processes: the global setup builds them (a no-op when
// Nx's cache is current) after the harness has started PostgreSQL and Redis.
module.exports = {
  ...require('../../jest.preset.js'),
  globalSetup: `${__dirname}/e2e/support/global-setup.ts`,
  globalTeardown: require('../../jest.infrastructure.js').globalTeardown,
  displayName: 'stack-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
  setupFilesAfterEnv: ['<rootDir>/e2e/support/timeouts.ts'],
};
