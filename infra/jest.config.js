// Specs of the infrastructure files beside them: the Prometheus alerting rules (promtool).
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'infra',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
