module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'dev-infra',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
