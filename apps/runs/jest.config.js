module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.infrastructure.js'),
  displayName: 'runs',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/e2e/**/*.e2e-spec.ts'],
};
