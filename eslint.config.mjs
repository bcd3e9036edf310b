// One lint configuration for the whole workspace. Run it through Nx (`npm run lint`) so that the
// module-boundary rule sees the current project graph and tags.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import noUnsanitized from 'eslint-plugin-no-unsanitized';
import security from 'eslint-plugin-security';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The service template is TypeScript with placeholders (__name__): it is checked once generated, by the
  // service generator's end-to-end test.
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '.nx/**',
      '.runnerly/**',
      'tools/service-generator/template/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Security rules on every file, as errors, so that a new finding fails CI: code injection (eval and its
  // relatives), shell injection (child_process.exec with a built string), ReDoS (unsafe or built regular
  // expressions), timing-unsafe secret comparisons, uninitialised Buffers, Trojan Source characters
  // (CVE-2021-42574) and DOM XSS sinks (innerHTML, insertAdjacentHTML). A finding that is safe is silenced
  // on its own line, with the reason. libs/dev-infra/src/lint/security-lint.spec.ts proves each rule fires.
  security.configs.recommended,
  noUnsanitized.configs.recommended,
  {
    rules: {
      ...Object.fromEntries(Object.keys(security.configs.recommended.rules).map((name) => [name, 'error'])),
      'no-eval': 'error',
      // The core rule: @typescript-eslint/no-implied-eval needs type-aware linting, which is not set up here.
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-script-url': 'error',
      // Off: its 84 findings here were all keys chosen by code (a header allowlist, an enum, a table's own
      // column), none a key from a request. Request data reaches code only as validated DTO instances (the
      // ValidationPipe's whitelist and forbidNonWhitelisted refuse undeclared keys), and Fastify's JSON
      // parser refuses __proto__ and constructor.prototype keys (prototype poisoning).
      'security/detect-object-injection': 'off',
      // Off outside request-serving code (next block): its 114 findings were all in tooling, tests, image
      // scripts, the operator's CLI and boot-time configuration, whose paths come from the repository, a
      // temporary folder or the operator, never from a request.
      'security/detect-non-literal-fs-filename': 'off',
    },
  },
  {
    // Path traversal: in the services and the libraries they ship, a file path built from a variable must be
    // looked at. Left out: code that reads the files the operator names, with the operator's rights (the
    // boot-time configuration's `*_FILE` variables and secret files, the operator's CLIs).
    files: ['apps/*/src/**/*.ts', 'libs/{security,database,platform}/src/**/*.ts'],
    ignores: [
      '**/*.spec.ts',
      'apps/users/src/cli/**',
      'libs/database/src/backup/backup-{cli,file}.ts',
      'libs/security/src/config/**',
    ],
    rules: { 'security/detect-non-literal-fs-filename': 'error' },
  },
  {
    // no-implied-eval looks for the timers among the declared globals, and TypeScript files declare none (the
    // compiler knows them): name them, so that setTimeout('code') is caught in TypeScript too.
    files: ['**/*.ts'],
    languageOptions: { globals: { setTimeout: 'readonly', setInterval: 'readonly' } },
  },
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      // The architecture, enforced: apps never import apps, libraries never import apps, and each scope
      // may only use the scopes listed here. Deep imports into another project are refused too.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tooling'] },
            {
              sourceTag: 'scope:testing',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:tooling', 'scope:testing'],
            },
            { sourceTag: 'scope:service', onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'] },
            {
              sourceTag: 'scope:stack',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:tooling', 'scope:testing'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-console': 'error',
    },
  },
  {
    // A promise nobody awaits fails unseen, or, rejected, takes the whole process down (an unhandled
    // rejection exits Node): a database outage once crashed `users` through a `setInterval(() => void
    // poll())`. Background work goes through `PeriodicTask`, whose one `void` is silenced on its line.
    // Fastify's reply is thenable but its header/send chain is not work to wait for. Type-aware, so it
    // runs only on shipped service and library code.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          ignoreVoid: false,
          allowForKnownSafePromises: [{ from: 'package', name: 'FastifyReply', package: 'fastify' }],
        },
      ],
    },
  },
  {
    // The test harness is for tests only: shipped code must never import it.
    files: ['apps/**/src/**/*.ts', 'libs/{security,database,platform}/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@runnerly/testing', message: 'Test helpers belong in tests only.' }] },
      ],
    },
  },
  {
    // Plain Node scripts (configs, image build helpers): Node's globals, CommonJS where it is CommonJS.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'console',
          'process',
          'Buffer',
          'URL',
          'URLSearchParams',
          'fetch',
          'AbortSignal',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
