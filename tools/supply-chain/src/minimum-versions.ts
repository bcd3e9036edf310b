// The lowest versions of the packages on the request path that Runnerly accepts, each with the published advisories
// that versions below it are open to. Exact pins keep a version from moving, which also keeps a vulnerable one
// from moving: this list makes a downgrade, or a transitive copy that a new dependency drags in, fail the tests.
// It is not a scanner (advisories published after this list was written are not in it: run `npm run
// audit:dependencies` where the advisory service is reachable); it is a floor that review raises.
import { type Lockfile, packageNameOf } from './dependency-policy';

export interface MinimumVersion {
  /** The npm package, wherever it sits in the tree. */
  name: string;
  /**
   * The first fixed version of each release line: a version is accepted when it is at least the one of its own
   * major version, or newer than every line listed. `['3.2.3', '4.0.1']`: 3.2.3+, 4.0.1+ and 5 onwards.
   */
  fixedIn: readonly string[];
  /** The advisories that the versions below `fixedIn` are open to. */
  advisories: readonly string[];
  /** What the vulnerability lets an attacker do to Runnerly, in a few words. */
  risk: string;
}

export const MINIMUM_VERSIONS: readonly MinimumVersion[] = [
  {
    name: 'fastify',
    fixedIn: ['5.7.2'],
    advisories: ['CVE-2025-32442 (GHSA-mg2h-6x62-wpwc)', 'CVE-2026-25223 (GHSA-jx2c-rxcm-jvmq)'],
    risk: 'a crafted Content-Type skips the body validation of a route',
  },
  {
    name: 'find-my-way',
    fixedIn: ['8.2.2'],
    advisories: ['CVE-2024-45813 (GHSA-rrr8-f88r-h8q6)'],
    risk: "ReDoS in Fastify's router: one request path blocks the event loop",
  },
  {
    name: 'path-to-regexp',
    fixedIn: ['8.4.0'],
    advisories: ['CVE-2024-45296 (GHSA-9wv6-86v2-598j)', 'GHSA-27v5-c462-wpq7'],
    risk: "ReDoS in Nest's route matching",
  },
  {
    name: 'jsonwebtoken',
    fixedIn: ['9.0.0'],
    advisories: ['CVE-2022-23529', 'CVE-2022-23539', 'CVE-2022-23540', 'CVE-2022-23541'],
    risk: 'tokens verified with an insecure or unintended algorithm or key type',
  },
  {
    name: 'jws',
    fixedIn: ['3.2.3', '4.0.1'],
    advisories: ['CVE-2025-65945 (GHSA-869p-cjfg-cm3x)'],
    risk: 'an HMAC signature accepted without a secret',
  },
  {
    name: 'class-validator',
    fixedIn: ['0.14.0'],
    advisories: ['CVE-2019-18413 (GHSA-fj58-h2fr-3pp2)'],
    risk: 'an input that is not an instance of the DTO skips validation (forbidUnknownValues off by default)',
  },
  {
    name: 'nodemailer',
    fixedIn: ['7.0.7'],
    advisories: ['GHSA-mm7p-fcc7-pg87', 'GHSA-9h6g-pr28-7cqp'],
    risk: 'a quoted local part sends a reset link to another domain; ReDoS on a crafted address',
  },
  {
    name: 'cookie',
    fixedIn: ['0.7.0'],
    advisories: ['CVE-2024-47764 (GHSA-pxg6-pf52-xh8x)'],
    risk: 'cookie names, paths or domains that inject other cookie attributes',
  },
  {
    name: 'semver',
    fixedIn: ['5.7.2', '6.3.1', '7.5.2'],
    advisories: ['CVE-2022-25883 (GHSA-c2qf-rxjj-qqgw)'],
    risk: 'ReDoS on a crafted version range',
  },
  {
    name: 'pg',
    fixedIn: ['7.1.2'],
    advisories: ['CVE-2017-16082'],
    risk: 'remote code execution through a crafted column name',
  },
];

/** Every copy of a listed package in the lockfile that is below its floor, as sentences naming the advisories. */
export function versionsBelowMinimum(
  lock: Lockfile,
  minimums: readonly MinimumVersion[] = MINIMUM_VERSIONS,
): string[] {
  const problems: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/') || entry.link || !entry.version) continue;
    const minimum = minimums.find(({ name }) => name === packageNameOf(path, entry));
    if (minimum && !isFixed(entry.version, minimum.fixedIn))
      problems.push(
        `${path} is ${minimum.name}@${entry.version}, below ${minimum.fixedIn.join(' / ')}: ` +
          `${minimum.advisories.join(', ')} (${minimum.risk})`,
      );
  }
  return problems;
}

export function isFixed(version: string, fixedIn: readonly string[]): boolean {
  const [major] = numbers(version);
  const sameLine = fixedIn.find((fixed) => numbers(fixed)[0] === major);
  if (sameLine) return compare(version, sameLine) >= 0;
  return fixedIn.every((fixed) => numbers(fixed)[0] < major);
}

/** 1.2.3-beta.1 -> [1, 2, 3] */
function numbers(version: string): number[] {
  return version.split('-')[0].split('.').map(Number);
}

/** Semver precedence, enough for this list: a pre-release (`4.0.1-rc.1`) comes before its release. */
function compare(a: string, b: string): number {
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return Number(!a.includes('-')) - Number(!b.includes('-'));
}
