// Shared jest settings. TypeScript is compiled by SWC (fast, no type checking: `npm run typecheck` does
// that), with the decorator metadata Nest's dependency injection needs. Workspace libraries resolve to
// their TypeScript sources through the "@runnerly/source" export condition, so tests never need a build.
/** @type {import('jest').Config} */
const preset = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['@runnerly/source', 'node', 'require', 'default'] },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  clearMocks: true,
  restoreMocks: true,
};

module.exports = preset;
