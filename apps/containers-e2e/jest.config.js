// The images are built and docker-compose.yml is started once per run by the global setup, under a compose
// project, a gateway port and a secrets folder of its own (so it never touches a developer's stack or secrets/);
// the suites drive the stack through the published gateway port and inspect its containers.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'containers-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
  globalSetup: `${__dirname}/e2e/support/global-setup.ts`,
  globalTeardown: `${__dirname}/e2e/support/global-teardown.ts`,
  setupFilesAfterEnv: ['<rootDir>/e2e/support/timeouts.ts'],
};
