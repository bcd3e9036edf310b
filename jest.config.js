// `npm test` runs every project's tests in one jest process, so the summary line counts them all.
/** @type {import('jest').Config} */
module.exports = {
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
