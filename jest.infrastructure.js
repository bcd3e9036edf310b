// For projects whose tests need PostgreSQL or Redis: the harness of @runnerly/testing starts them once
// per run (libs/testing/src/test-infrastructure.ts decides where they come from).
module.exports = {
  globalSetup: `${__dirname}/libs/testing/src/global-setup.ts`,
  globalTeardown: `${__dirname}/libs/testing/src/global-teardown.ts`,
};
