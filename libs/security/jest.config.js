// Coverage of @runnerly/security is a gate, not a report: `nx run security:test` runs these
// tests with the thresholds of project.json and fails when a change leaves security code untested.
// Test helpers and the barrel are not code under test.
module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.infrastructure.js'),
  displayName: 'security',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  collectCoverageFrom: [
    '<rootDir>/src/**/*.ts',
    '!<rootDir>/src/**/*.spec.ts',
    '!<rootDir>/src/testing/**',
    '!<rootDir>/src/index.ts',
  ],
};
