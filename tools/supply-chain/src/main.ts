// `npm run sbom [-- --out <folder>] [--image <name:tag> ...]`: CycloneDX SBOMs of the workspace (every package of
// the lockfile, development ones marked optional) and of each service image, written to dist/sbom unless told.
// Without --image, the images docker-compose.yml builds (runnerly/<service>:local) that exist on this machine.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SERVICE_NAMES } from '@runnerly/platform';
import { type Lockfile, readJson } from './dependency-policy';
import { imageId, imageSbom, inventoryOf, unlockedPackages } from './image-sbom';

/** This file runs as tools/supply-chain/dist/main.js. */
const ROOT = resolve(__dirname, '../../..');

function option(args: string[], name: string): string[] {
  return args.flatMap((arg, i) => (arg === name && args[i + 1] ? [args[i + 1]] : []));
}

/** The image's id, or undefined when it is not on this machine. */
function idOf(image: string): string | undefined {
  try {
    return imageId(image);
  } catch {
    return undefined;
  }
}

function main(args: string[]): number {
  const out = resolve(option(args, '--out')[0] ?? join(ROOT, 'dist/sbom'));
  const named = option(args, '--image');
  mkdirSync(out, { recursive: true });

  // npm's own command reads the lockfile alone, so the result does not depend on what is installed.
  const workspace = execFileSync('npm', ['sbom', '--sbom-format', 'cyclonedx', '--package-lock-only'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  writeFileSync(join(out, 'workspace.cdx.json'), workspace);
  process.stdout.write(`wrote ${join(out, 'workspace.cdx.json')}\n`);

  const images = named.length > 0 ? named : SERVICE_NAMES.map((service) => `runnerly/${service}:local`);
  const lock = readJson<Lockfile>(ROOT, 'package-lock.json');
  let missing = 0;
  for (const image of images) {
    const id = idOf(image);
    if (!id) {
      process.stdout.write(`skipped ${image}: not built on this machine (docker compose build)\n`);
      missing++;
      continue;
    }
    const file = join(out, `${image.replace(/[/:@]/g, '-')}.cdx.json`);
    const sbom = imageSbom(image, id, inventoryOf(image), lock);
    writeFileSync(file, `${JSON.stringify(sbom, null, 2)}\n`);
    const unknown = unlockedPackages(sbom);
    process.stdout.write(
      `wrote ${file}: ${sbom.components.length} components` +
        (unknown.length > 0 ? `, ${unknown.length} npm packages the lockfile does not hold` : '') +
        '\n',
    );
  }
  // An image asked for by name must exist; the default list may be partly built.
  return named.length > 0 && missing > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
