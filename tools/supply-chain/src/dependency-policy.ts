// What the dependency tree must look like so that every install, on a laptop, in CI or in an image build, gets
// exactly the packages that were reviewed. Each rule returns the problems it finds, as sentences; none means the
// tree passes. The spec runs them on the repository's own package.json and package-lock.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  overrides?: Record<string, unknown>;
}

/** One entry of package-lock.json's `packages` (lockfile version 3). */
export interface LockedPackage {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockedPackage>;
}

export function readJson<T>(root: string, file: string): T {
  return JSON.parse(readFileSync(join(root, file), 'utf8')) as T;
}

/** `1.2.3` or `1.2.3-beta.4`: one version, never a range, a tag, a URL or a path. */
function isExactVersion(spec: string): boolean {
  const dash = spec.indexOf('-');
  const [release, prerelease] = dash === -1 ? [spec, undefined] : [spec.slice(0, dash), spec.slice(dash + 1)];
  return /^\d+\.\d+\.\d+$/.test(release) && (prerelease === undefined || /^[0-9A-Za-z.-]+$/.test(prerelease));
}

/**
 * A range (`^1.2.3`, `~1.2`, `*`, `latest`) installs whatever is published next under it, by the maintainer or by
 * whoever holds their token; a git, http or file specifier bypasses the registry altogether. Only exact versions,
 * in the root package.json; the workspaces declare no dependencies of their own, so there is one list to review.
 */
export function unpinnedDependencies(root: Manifest, workspaces: Record<string, Manifest>): string[] {
  const problems: string[] = [];
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'] as const) {
    for (const [name, spec] of Object.entries(root[field] ?? {})) {
      if (!isExactVersion(spec))
        problems.push(`package.json ${field}: ${name} is "${spec}", not an exact version`);
    }
  }
  for (const [override, spec] of flattenOverrides(root.overrides ?? {})) {
    if (!isExactVersion(spec) && !/^\$[a-z@][\w./@-]*$/.test(spec))
      problems.push(
        `package.json overrides: ${override} is "${spec}", not an exact version or a "$" reference`,
      );
  }
  for (const [folder, manifest] of Object.entries(workspaces)) {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'] as const) {
      const names = Object.keys(manifest[field] ?? {});
      if (names.length > 0)
        problems.push(
          `${folder}/package.json declares ${field} (${names.join(', ')}): declare them in the root`,
        );
    }
  }
  return problems;
}

function flattenOverrides(overrides: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(overrides).flatMap(([name, value]): [string, string][] =>
    typeof value === 'string'
      ? [[`${prefix}${name}`, value]]
      : flattenOverrides(value as Record<string, unknown>, `${prefix}${name} > `),
  );
}

/** sha512 in the Subresource Integrity form npm writes: 64 bytes in base64. */
const SHA512_INTEGRITY = /^sha512-[A-Za-z0-9+/]{86}==$/;
/** Where a workspace lives; a link anywhere else (`../`, an absolute path) would install code from outside. */
const WORKSPACE_FOLDER = /^(apps|libs|tools)\/[a-z0-9-]+$/;

/**
 * Every package comes from the registry npm is configured with, and is accepted only if its tarball matches the
 * sha512 hash written here when it was reviewed (npm checks it on every install): a mirror, a proxy or a hijacked
 * tarball cannot change the code under a version. The lockfile keeps no `resolved` URLs (see
 * docs/explanation/supply-chain.md), so a `resolved` value can only be a workspace link; a tarball URL, a git
 * repository or a file path would be a source other than the registry, and is refused. Lockfile version 3 only:
 * older formats keep a second, unchecked copy of the tree.
 */
export function lockfileProblems(lock: Lockfile): string[] {
  const problems: string[] = [];
  if (lock.lockfileVersion !== 3) problems.push(`lockfileVersion is ${lock.lockfileVersion}, not 3`);
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/')) continue; // the root and the workspaces' own entries
    if (entry.link) {
      if (!WORKSPACE_FOLDER.test(entry.resolved ?? ''))
        problems.push(`${path} links to "${entry.resolved}", which is not a workspace of this repository`);
      continue;
    }
    if (entry.resolved !== undefined)
      problems.push(
        `${path} is resolved to "${entry.resolved}": only the configured registry may be a source`,
      );
    if (!entry.version || !isExactVersion(entry.version))
      problems.push(`${path} has no exact version ("${entry.version}")`);
    if (!SHA512_INTEGRITY.test(entry.integrity ?? ''))
      problems.push(`${path} has no sha512 integrity hash ("${entry.integrity ?? ''}")`);
  }
  return problems;
}

/** The package a lockfile path installs: `node_modules/a/node_modules/@s/b` installs `@s/b`, or its alias target. */
export function packageNameOf(path: string, entry: LockedPackage): string {
  return entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}
