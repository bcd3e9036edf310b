// In a copy of the workspace, `npm run generate:service` makes a fourth service, which is then built, linted,
// tested, and run behind the gateway in the stack of `npm start` and in the compose stack.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'generator-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
};
