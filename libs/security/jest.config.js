module.exports = { ...require('../../jest.preset.js'), displayName: 'security', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
