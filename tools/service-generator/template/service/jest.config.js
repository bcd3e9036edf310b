module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.infrastructure.js'),
  displayName: '__name__',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/e2e/**/*.e2e-spec.ts'],
};
