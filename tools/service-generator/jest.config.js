// Unit specs beside the code. The end-to-end proof (a generated service built, linted and run in both
// stacks) is the generator-e2e project.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'service-generator',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
