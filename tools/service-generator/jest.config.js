// Unit specs beside the code; the end-to-end spec generates a service into a copy of the workspace, builds and
// lints it, and runs the whole stack with it.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'service-generator',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/e2e/**/*.e2e-spec.ts'],
};
