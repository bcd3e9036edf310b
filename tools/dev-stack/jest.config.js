// Unit specs beside the code; end-to-end specs start the built launcher (tools/dev-stack/dist/main.js),
// which starts the built services: the global setup builds them first (a no-op when Nx's cache is current).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'dev-stack',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/e2e/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/e2e/support/build-stack.global-setup.ts',
};
