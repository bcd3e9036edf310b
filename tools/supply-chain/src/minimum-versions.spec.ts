import { resolve } from 'node:path';
import { type Lockfile, readJson } from './dependency-policy';
import { isFixed, MINIMUM_VERSIONS, versionsBelowMinimum } from './minimum-versions';

const ROOT = resolve(__dirname, '../../..');

function lockfileWith(packages: Lockfile['packages']): Lockfile {
  return { lockfileVersion: 3, packages: { '': {}, ...packages } };
}

describe('the minimum versions of security-critical packages', () => {
  it('hold for every copy in the lockfile', () => {
    expect(versionsBelowMinimum(readJson<Lockfile>(ROOT, 'package-lock.json'))).toEqual([]);
  });

  it.each(MINIMUM_VERSIONS.map((minimum) => [minimum.name, minimum] as const))(
    'name the advisories they close and concern a package that is installed: %s',
    (name, minimum) => {
      expect(minimum.advisories.length).toBeGreaterThan(0);
      for (const advisory of minimum.advisories)
        expect(advisory).toMatch(/^(CVE-\d{4}-\d+|GHSA-[2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4})/);
      const lock = readJson<Lockfile>(ROOT, 'package-lock.json');
      expect(Object.keys(lock.packages).some((path) => path.endsWith(`node_modules/${name}`))).toBe(true);
    },
  );

  it('refuses a copy below its floor anywhere in the tree, naming the advisory', () => {
    const lock = lockfileWith({
      'node_modules/jws': { version: '4.0.1' },
      'node_modules/jsonwebtoken/node_modules/jws': { version: '3.2.2' },
    });
    expect(versionsBelowMinimum(lock)).toEqual([
      'node_modules/jsonwebtoken/node_modules/jws is jws@3.2.2, below 3.2.3 / 4.0.1: ' +
        'CVE-2025-65945 (GHSA-869p-cjfg-cm3x) (an HMAC signature accepted without a secret)',
    ]);
  });

  it('recognises a package installed under an alias by its real name', () => {
    const lock = lockfileWith({ 'node_modules/my-fastify': { name: 'fastify', version: '5.3.1' } });
    expect(versionsBelowMinimum(lock)).toEqual([
      expect.stringMatching(/^node_modules\/my-fastify is fastify@5\.3\.1/),
    ]);
  });
});

describe('isFixed', () => {
  it.each([
    ['4.0.1', ['3.2.3', '4.0.1'], true],
    ['3.2.3', ['3.2.3', '4.0.1'], true],
    ['5.0.0', ['3.2.3', '4.0.1'], true],
    ['4.0.0', ['3.2.3', '4.0.1'], false],
    ['3.2.2', ['3.2.3', '4.0.1'], false],
    ['2.9.9', ['3.2.3', '4.0.1'], false],
    ['4.1.0', ['3.2.3', '5.0.0'], false],
    ['0.15.1', ['0.14.0'], true],
    ['0.13.9', ['0.14.0'], false],
    ['4.0.1-rc.1', ['4.0.1'], false],
    ['4.0.2-rc.1', ['4.0.1'], true],
  ] as const)('%s with fixes in %j: %s', (version, fixedIn, fixed) => {
    expect(isFixed(version, fixedIn)).toBe(fixed);
  });
});
