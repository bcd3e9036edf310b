// The docs checked against the code: every link resolves, every quoted test title exists in the file named, and
// the shell sessions of the README, the tutorial and the how-tos run against the stack of `npm start`, their
// output compared with what the docs show. The harness provides the Redis that chapter 04 uses.
module.exports = {
  ...require('../../jest.preset.js'),
  ...require('../../jest.infrastructure.js'),
  displayName: 'docs-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
};
