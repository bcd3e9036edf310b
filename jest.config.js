// `npm test` runs every project's tests in one jest run, so the summary line counts them all.
/** @type {import('jest').Config} */
module.exports = {
  // Jest leaks each test file's ES modules (jestjs/jest#14605), and on 2 cores it would run every file in its
  // own process, growing by 30-60 MB a file. With a limit set it runs the files in a worker instead, and
  // replaces the worker once its heap passes the limit after a file: memory stays bounded however many
  // files there are.
  workerIdleMemoryLimit: '1GB',
  projects: [
    '<rootDir>/libs/security',
    '<rootDir>/apps/users',
    '<rootDir>/apps/runs',
    '<rootDir>/apps/gateway',
    '<rootDir>/apps/stack-e2e',
    '<rootDir>/apps/containers-e2e',
    '<rootDir>/apps/faults-e2e',
    '<rootDir>/apps/generator-e2e',
    '<rootDir>/apps/docs-e2e',
    '<rootDir>/libs/database',
    '<rootDir>/libs/platform',
    '<rootDir>/libs/dev-infra',
    '<rootDir>/tools/dev-stack',
    '<rootDir>/tools/service-generator',
    '<rootDir>/tools/supply-chain',
    '<rootDir>/infra',
  ],
};
