// The images are built and docker-compose.yml is started once per run by the global setup, under a compose
// project of its own (never the containers-e2e stack: this suite kills its containers); the suite drives the
// stack through the published gateway port while it crashes and stops its containers one at a time.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'faults-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
  globalSetup: `${__dirname}/e2e/support/global-setup.ts`,
  globalTeardown: `${__dirname}/e2e/support/global-teardown.ts`,
};
