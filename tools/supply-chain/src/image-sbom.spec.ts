import { createHash } from 'node:crypto';
import type { Lockfile } from './dependency-policy';
import {
  debianPackages,
  type ImageInventory,
  imageSbom,
  lockedHashes,
  npmPurl,
  unlockedPackages,
} from './image-sbom';

const tarball = Buffer.from('the tarball of fastify 5.12.8');
const digest = createHash('sha512').update(tarball).digest();
const lock: Lockfile = {
  lockfileVersion: 3,
  packages: {
    '': {},
    'node_modules/fastify': { version: '5.12.8', integrity: `sha512-${digest.toString('base64')}` },
    'node_modules/@runnerly/security': { resolved: 'libs/security', link: true },
  },
};

const DPKG_STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.41-12

Package: base-files
Status: install ok installed
Architecture: amd64
Version: 13.8+deb13u8

Package: removed-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0
`;

const inventory: ImageInventory = {
  node: '24.21.0',
  npm: [
    { name: 'fastify', version: '5.12.8', origin: 'app' },
    { name: 'left-pad', version: '1.3.0', origin: 'app' },
    { name: '@runnerly/security', version: '0.1.0', origin: 'workspace' },
    { name: 'semver', version: '7.8.6', origin: 'base-image' },
  ],
  dpkgStatus: DPKG_STATUS,
};

describe('debianPackages', () => {
  it('lists the installed packages of a dpkg status file, not the removed ones', () => {
    expect(debianPackages(DPKG_STATUS)).toEqual([
      { name: 'libc6', version: '2.41-12', arch: 'amd64' },
      { name: 'base-files', version: '13.8+deb13u8', arch: 'amd64' },
    ]);
  });
});

describe('lockedHashes', () => {
  it("gives each locked name@version its sha512 in hex, the tarball's digest", () => {
    expect(lockedHashes(lock)).toEqual(new Map([['fastify@5.12.8', digest.toString('hex')]]));
  });
});

describe('npmPurl', () => {
  it('encodes the scope of a scoped package', () => {
    expect(npmPurl('@nestjs/core', '12.5.1')).toBe('pkg:npm/%40nestjs/core@12.5.1');
  });
});

describe('imageSbom', () => {
  const sbom = imageSbom('runnerly/users:local', 'sha256:abc', inventory, lock);
  const component = (ref: string) => sbom.components.find((c) => c['bom-ref'] === ref);

  it('describes the image as a CycloneDX 1.5 container, by name and image id', () => {
    expect(sbom).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: { component: { type: 'container', name: 'runnerly/users:local', version: 'sha256:abc' } },
    });
    expect(sbom.serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  });

  it("gives the application's packages the lockfile's hash", () => {
    expect(component('npm:fastify@5.12.8')).toEqual({
      'bom-ref': 'npm:fastify@5.12.8',
      type: 'library',
      name: 'fastify',
      version: '5.12.8',
      purl: 'pkg:npm/fastify@5.12.8',
      hashes: [{ alg: 'SHA-512', content: digest.toString('hex') }],
      properties: [{ name: 'runnerly:origin', value: 'app' }],
    });
  });

  it("lists the workspace libraries and the base image's npm packages apart, without a lockfile hash", () => {
    expect(component('npm:@runnerly/security@0.1.0#workspace')).not.toHaveProperty('hashes');
    expect(component('npm:@runnerly/security@0.1.0#workspace')?.properties).toEqual([
      { name: 'runnerly:origin', value: 'workspace' },
    ]);
    expect(component('npm:semver@7.8.6#base-image')).toMatchObject({
      properties: [{ name: 'runnerly:origin', value: 'base-image' }],
    });
  });

  it('lists the Debian packages with their architecture, and the Node runtime', () => {
    expect(component('deb:base-files@13.8+deb13u8')?.purl).toBe(
      'pkg:deb/debian/base-files@13.8%2Bdeb13u8?arch=amd64',
    );
    expect(component('deb:removed-tool@1.0')).toBeUndefined();
    expect(component('node')).toMatchObject({ type: 'application', version: '24.21.0' });
  });

  it('shows a package in the application that the lockfile does not hold', () => {
    expect(unlockedPackages(sbom).map((c) => c.name)).toEqual(['left-pad']);
  });
});
