// The docs checked against the code: every link resolves, every quoted test title exists in the file named.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'docs-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
};
