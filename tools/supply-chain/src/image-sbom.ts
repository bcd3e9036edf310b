// A CycloneDX SBOM of a built image, from what the image holds rather than from what the build meant to put in it:
// a short script runs inside the image (no network, read-only, no capabilities) and lists the npm packages under
// /app/node_modules, those the base image brings (npm itself, under /usr/local/lib/node_modules), the Debian
// packages dpkg recorded, and the Node runtime. Each of the application's npm packages gets the sha512 hash the
// lockfile holds for its name and version, so a package in /app that the lockfile does not know stands out as one
// without a hash.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type Lockfile, packageNameOf } from './dependency-policy';

/**
 * Where an npm package in the image comes from: the lockfile (`app`), this repository's own libraries linked for
 * the service (`workspace`), or the base image (`base-image`: npm and its dependencies, not Runnerly's to pin).
 */
export type NpmOrigin = 'app' | 'workspace' | 'base-image';

/** What the inventory script prints. */
export interface ImageInventory {
  node: string;
  npm: { name: string; version: string; origin: NpmOrigin }[];
  dpkgStatus: string;
}

/** A CycloneDX 1.5 component, with the fields this tool writes. */
export interface Component {
  'bom-ref': string;
  type: 'library' | 'application';
  name: string;
  version: string;
  purl?: string;
  hashes?: { alg: 'SHA-512'; content: string }[];
  properties?: { name: string; value: string }[];
}

export interface Sbom {
  bomFormat: 'CycloneDX';
  specVersion: '1.5';
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: { type: 'application'; name: string }[] };
    component: { 'bom-ref': string; type: 'container'; name: string; version: string };
  };
  components: Component[];
}

/**
 * Runs in the image under its own Node. Walks node_modules (scopes, nested copies, and the workspace links the
 * image build makes for the service's own libraries) and reads dpkg's status file.
 */
const INVENTORY_SCRIPT = `
const { readdirSync, readFileSync, lstatSync } = require('node:fs');
const { join } = require('node:path');
const npm = [];
function walk(dir, origin) {
  let names = [];
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names) {
    const path = join(dir, name);
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) { walk(path, origin); continue; }
    const linked = lstatSync(path).isSymbolicLink();
    try {
      const { name: pkg, version } = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
      npm.push({ name: pkg, version, origin: linked ? 'workspace' : origin });
    } catch { continue; }
    if (!linked) walk(join(path, 'node_modules'), origin);
  }
}
walk('/app/node_modules', 'app');
walk('/usr/local/lib/node_modules', 'base-image');
let dpkgStatus = '';
try { dpkgStatus = readFileSync('/var/lib/dpkg/status', 'utf8'); } catch {}
process.stdout.write(JSON.stringify({ node: process.version.slice(1), npm, dpkgStatus }));
`;

/** The inventory of an image, read by running it with nothing it could misuse. */
export function inventoryOf(image: string): ImageInventory {
  const output = execFileSync(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '--read-only',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--user',
      '1000:1000',
      '--entrypoint',
      'node',
      image,
      '-e',
      INVENTORY_SCRIPT,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
  );
  return JSON.parse(output) as ImageInventory;
}

export function imageId(image: string): string {
  return execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** The installed packages of a dpkg status file: `Package`, `Version` and `Architecture` of each stanza. */
export function debianPackages(status: string): { name: string; version: string; arch: string }[] {
  return status
    .split(/\n\n+/)
    .map((stanza) => {
      const fields = new Map(
        stanza
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const field = (key: string) => fields.get(key) || undefined;
      return {
        status: field('Status'),
        name: field('Package'),
        version: field('Version'),
        arch: field('Architecture'),
      };
    })
    .filter((pkg) => pkg.status === 'install ok installed' && pkg.name && pkg.version)
    .map(({ name, version, arch }) => ({ name: name!, version: version!, arch: arch ?? 'all' }));
}

/** `name@version` -> the lockfile's sha512, in hex as CycloneDX wants it. */
export function lockedHashes(lock: Lockfile): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/') || !entry.version || !entry.integrity?.startsWith('sha512-'))
      continue;
    const hex = Buffer.from(entry.integrity.slice('sha512-'.length), 'base64').toString('hex');
    hashes.set(`${packageNameOf(path, entry)}@${entry.version}`, hex);
  }
  return hashes;
}

export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, '%40')}@${encodeURIComponent(version)}`;
}

export function imageSbom(image: string, id: string, inventory: ImageInventory, lock: Lockfile): Sbom {
  const hashes = lockedHashes(lock);
  const components = new Map<string, Component>();
  for (const { name, version, origin } of inventory.npm) {
    // One package may be both the application's and npm's (the base image's): two components, two refs.
    const ref = `npm:${name}@${version}${origin === 'app' ? '' : `#${origin}`}`;
    const hash = origin === 'app' ? hashes.get(`${name}@${version}`) : undefined;
    components.set(ref, {
      'bom-ref': ref,
      type: 'library',
      name,
      version,
      purl: npmPurl(name, version),
      ...(hash ? { hashes: [{ alg: 'SHA-512', content: hash }] } : {}),
      properties: [{ name: 'runnerly:origin', value: origin }],
    });
  }
  for (const { name, version, arch } of debianPackages(inventory.dpkgStatus)) {
    const ref = `deb:${name}@${version}`;
    components.set(ref, {
      'bom-ref': ref,
      type: 'library',
      name,
      version,
      purl: `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=${arch}`,
    });
  }
  components.set('node', {
    'bom-ref': 'node',
    type: 'application',
    name: 'node',
    version: inventory.node,
    purl: `pkg:generic/node@${inventory.node}`,
  });
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: new Date().toISOString(),
      tools: { components: [{ type: 'application', name: '@runnerly/supply-chain' }] },
      component: { 'bom-ref': image, type: 'container', name: image, version: id },
    },
    components: [...components.values()].sort((a, b) => a['bom-ref'].localeCompare(b['bom-ref'])),
  };
}

/** The application's npm packages in an image that the lockfile does not hold: none, in an image built by npm ci. */
export function unlockedPackages(sbom: Sbom): Component[] {
  return sbom.components.filter(
    (c) =>
      !c.hashes && c.properties?.some(({ name, value }) => name === 'runnerly:origin' && value === 'app'),
  );
}
