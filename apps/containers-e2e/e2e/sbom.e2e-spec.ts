import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '@runnerly/dev-infra';
import { stackContainers } from '@runnerly/testing';
import { CONTAINERS_SUITE, NODE_SERVICES } from './support/containers-env';

interface Component {
  'bom-ref': string;
  name: string;
  version: string;
  purl?: string;
  hashes?: { alg: string; content: string }[];
  properties?: { name: string; value: string }[];
}
interface Sbom {
  bomFormat: string;
  specVersion: string;
  metadata: { component: { type: string; name: string; version: string } };
  components: Component[];
}
interface LockedPackage {
  version?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
}

const run = promisify(execFile);
const originOf = (component: Component) =>
  component.properties?.find(({ name }) => name === 'runnerly:origin')?.value;
const hexOf = (integrity: string) => Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');

/**
 * `npm run sbom`, as the supply-chain page shows it, on the images the compose stack runs: what each image
 * holds, read from the image itself, with the lockfile's hash for every npm package of the application.
 * The images are named by the ids the stack's containers run, not by their tags: other suites of the same run
 * (the fault suite, the containers chapter of the docs) build the same tags again and may move them.
 */
CONTAINERS_SUITE.describe('the SBOMs of the images', ({ project }) => {
  let out: string;
  let lock: Record<string, LockedPackage>;
  const imageIds = new Map<string, string>();
  const sbomOf = async (file: string) => JSON.parse(await readFile(join(out, file), 'utf8')) as Sbom;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'runnerly-sbom-'));
    const containers = await stackContainers(project);
    for (const service of NODE_SERVICES) imageIds.set(service, containers.get(service)!.inspect.Image);
    const images = [...imageIds.values()].flatMap((id) => ['--image', id]);
    await run('npm', ['run', 'sbom', '--', '--out', out, ...images], {
      cwd: WORKSPACE_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    lock = (
      JSON.parse(await readFile(join(WORKSPACE_ROOT, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, LockedPackage>;
      }
    ).packages;
  }, 300_000);

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('writes a CycloneDX SBOM of the workspace with the lockfile hash of each package', async () => {
    const sbom = await sbomOf('workspace.cdx.json');
    expect(sbom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5' });
    const fastify = sbom.components.find((component) => component.name === 'fastify');
    const locked = lock['node_modules/fastify']!;
    expect(fastify).toMatchObject({
      version: locked.version,
      hashes: [{ alg: 'SHA-512', content: hexOf(locked.integrity!) }],
    });
    expect(sbom.components.length).toBeGreaterThan(900);
  });

  describe.each(NODE_SERVICES.map((service) => [service]))('of the %s image', (service) => {
    let sbom: Sbom;
    beforeAll(async () => {
      sbom = await sbomOf(`${imageIds.get(service)!.replace(':', '-')}.cdx.json`);
    });

    it('describes the very image the stack runs, by its id', async () => {
      const container = (await stackContainers(project)).get(service)!;
      expect(container.inspect.Config.Image).toBe(`runnerly/${service}:local`);
      expect(sbom.metadata.component).toMatchObject({ type: 'container', version: container.inspect.Image });
    });

    it("holds only the lockfile's packages in the application, each with the lockfile's hash", () => {
      const application = sbom.components.filter((component) => originOf(component) === 'app');
      expect(application.length).toBeGreaterThan(100);
      const lockedHashes = new Set(
        Object.values(lock).flatMap((entry) => (entry.integrity ? [hexOf(entry.integrity)] : [])),
      );
      for (const component of application) {
        expect({ component: component['bom-ref'], hash: component.hashes?.[0]?.content }).toEqual({
          component: component['bom-ref'],
          hash: expect.any(String),
        });
        expect(lockedHashes.has(component.hashes![0]!.content)).toBe(true);
      }
    });

    it('holds no development dependency', () => {
      const versionsOf = (dev: boolean) =>
        new Set(
          Object.entries(lock)
            .filter(
              ([path, entry]) => path.includes('node_modules/') && !entry.link && Boolean(entry.dev) === dev,
            )
            .map(([path, entry]) => `${path.slice(path.lastIndexOf('node_modules/') + 13)}@${entry.version}`),
        );
      const production = versionsOf(false);
      const devOnly = [...versionsOf(true)].filter((pkg) => !production.has(pkg));
      const shipped = new Set(
        sbom.components
          .filter((component) => originOf(component) === 'app')
          .map(({ name, version }) => `${name}@${version}`),
      );
      expect(devOnly.length).toBeGreaterThan(100);
      expect(devOnly.filter((pkg) => shipped.has(pkg))).toEqual([]);
    });

    it("lists the base image's Debian packages and the Node runtime", () => {
      const names = sbom.components.map((component) => component.purl ?? '');
      expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^pkg:deb\/debian\/libc6@/)]));
      expect(sbom.components.find((component) => component.name === 'node')?.version).toMatch(/^24\./);
    });
  });
});
