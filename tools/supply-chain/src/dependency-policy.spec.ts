import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type Lockfile,
  lockfileProblems,
  type Manifest,
  readJson,
  unpinnedDependencies,
} from './dependency-policy';

const ROOT = resolve(__dirname, '../../..');
const INTEGRITY = `sha512-${'A'.repeat(86)}==`;

function workspaceManifests(): Record<string, Manifest> {
  const manifests: Record<string, Manifest> = {};
  for (const group of ['apps', 'libs', 'tools']) {
    for (const folder of readdirSync(join(ROOT, group))) {
      try {
        manifests[`${group}/${folder}`] = readJson<Manifest>(ROOT, `${group}/${folder}/package.json`);
      } catch {
        // a folder without a package.json is not a workspace
      }
    }
  }
  return manifests;
}

function lockfileWith(packages: Lockfile['packages']): Lockfile {
  return { lockfileVersion: 3, packages: { '': {}, ...packages } };
}

describe("this repository's dependencies", () => {
  it('are exact versions, declared once in the root package.json', () => {
    expect(unpinnedDependencies(readJson<Manifest>(ROOT, 'package.json'), workspaceManifests())).toEqual([]);
  });

  it('are locked to the registry with a sha512 hash each, in lockfile version 3', () => {
    const lock = readJson<Lockfile>(ROOT, 'package-lock.json');
    expect(Object.keys(lock.packages).length).toBeGreaterThan(900);
    expect(lockfileProblems(lock)).toEqual([]);
  });
});

describe('unpinnedDependencies', () => {
  it.each([
    ['a caret range', '^1.2.3'],
    ['a tilde range', '~1.2.3'],
    ['a comparison', '>=1.0.0'],
    ['a tag', 'latest'],
    ['any version', '*'],
    ['a git repository', 'git+https://github.com/someone/package.git'],
    ['a tarball URL', 'https://example.com/package-1.0.0.tgz'],
    ['a local folder', 'file:../package'],
  ])('refuses %s', (_kind, spec) => {
    expect(unpinnedDependencies({ dependencies: { left: spec } }, {})).toEqual([
      `package.json dependencies: left is "${spec}", not an exact version`,
    ]);
  });

  it('accepts exact versions, pre-releases included, in every dependency field', () => {
    const manifest = {
      dependencies: { a: '1.2.3' },
      devDependencies: { b: '17.10.0-beta.17' },
      optionalDependencies: { c: '0.0.1' },
    };
    expect(unpinnedDependencies(manifest, {})).toEqual([]);
  });

  it('refuses a range in overrides, nested ones included, and accepts a "$" reference to a root dependency', () => {
    const overrides = { a: '1.0.0', b: '^2.0.0', typeorm: { ioredis: '$ioredis', pg: '~8.0.0' } };
    expect(unpinnedDependencies({ overrides }, {})).toEqual([
      'package.json overrides: b is "^2.0.0", not an exact version or a "$" reference',
      'package.json overrides: typeorm > pg is "~8.0.0", not an exact version or a "$" reference',
    ]);
  });

  it('refuses a dependency declared in a workspace, where the root review would not see it', () => {
    expect(unpinnedDependencies({}, { 'apps/users': { dependencies: { leftpad: '1.0.0' } } })).toEqual([
      'apps/users/package.json declares dependencies (leftpad): declare them in the root',
    ]);
  });
});

describe('lockfileProblems', () => {
  it('accepts a registry package with its version and hash, and a link to a workspace', () => {
    const lock = lockfileWith({
      'node_modules/a': { version: '1.0.0', integrity: INTEGRITY },
      'node_modules/a/node_modules/@scope/b': { version: '2.0.0', integrity: INTEGRITY, dev: true },
      'node_modules/@runnerly/users': { resolved: 'apps/users', link: true },
      'apps/users': { name: '@runnerly/users', version: '0.1.0' },
    });
    expect(lockfileProblems(lock)).toEqual([]);
  });

  it.each([
    ['a tarball URL', 'https://example.com/a/-/a-1.0.0.tgz'],
    ['a plain-HTTP registry', 'http://registry.npmjs.org/a/-/a-1.0.0.tgz'],
    ['a git repository', 'git+ssh://git@github.com/someone/a.git#0123456789abcdef'],
    ['a file on disk', 'file:../a-1.0.0.tgz'],
  ])('refuses a package resolved to %s', (_kind, resolved) => {
    const lock = lockfileWith({ 'node_modules/a': { version: '1.0.0', resolved, integrity: INTEGRITY } });
    expect(lockfileProblems(lock)).toEqual([
      `node_modules/a is resolved to "${resolved}": only the configured registry may be a source`,
    ]);
  });

  it.each([
    ['no hash', undefined],
    ['a sha1 hash', 'sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk='],
    ['a truncated sha512 hash', 'sha512-AAAA=='],
  ])('refuses a package with %s', (_kind, integrity) => {
    const lock = lockfileWith({ 'node_modules/a': { version: '1.0.0', integrity } });
    expect(lockfileProblems(lock)).toEqual([
      `node_modules/a has no sha512 integrity hash ("${integrity ?? ''}")`,
    ]);
  });

  it('refuses a package without an exact version', () => {
    const lock = lockfileWith({ 'node_modules/a': { integrity: INTEGRITY } });
    expect(lockfileProblems(lock)).toEqual(['node_modules/a has no exact version ("undefined")']);
  });

  it.each(['../elsewhere', '/opt/package', 'apps/../../elsewhere'])(
    'refuses a link to %s, outside the workspaces',
    (resolved) => {
      const lock = lockfileWith({ 'node_modules/a': { resolved, link: true } });
      expect(lockfileProblems(lock)).toEqual([
        `node_modules/a links to "${resolved}", which is not a workspace of this repository`,
      ]);
    },
  );

  it('refuses an older lockfile format, whose second copy of the tree nothing checks', () => {
    expect(lockfileProblems({ lockfileVersion: 2, packages: {} })).toEqual(['lockfileVersion is 2, not 3']);
  });
});
