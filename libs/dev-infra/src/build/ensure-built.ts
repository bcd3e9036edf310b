import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root (this file is libs/dev-infra/{src,dist}/build/ensure-built.*). */
export const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..', '..');

/**
 * Builds Nx projects (and the libraries they use) before tests start them as processes: `npm test` runs
 * jest directly, without Nx's `dependsOn`. Nx decides what is stale from its input hashes, and when
 * nothing changed it only restores its cache, in a few seconds.
 */
export function ensureBuilt(projects: readonly string[]): void {
  try {
    execFileSync(
      process.execPath,
      [require.resolve('nx/bin/nx'), 'run-many', '-t', 'build', '-p', ...projects, '--output-style=static'],
      {
        cwd: WORKSPACE_ROOT,
        stdio: 'pipe',
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      },
    );
  } catch (error) {
    // Nx's progress would only clutter jest's output; when the build fails, its output is the point.
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`Building ${projects.join(', ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, {
      cause: error,
    });
  }
}

/** The built entry point of a service, as `node` runs it. */
export function serviceEntry(service: string): string {
  return resolve(WORKSPACE_ROOT, 'apps', service, 'dist', 'main.js');
}
