import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const WORKSPACE = resolve(__dirname, '../../..');

/**
 * Builds the given Nx projects (and the libraries they use) before tests start them as processes.
 * Nx's cache makes this a no-op in about a second when nothing changed since the last build.
 */
export function ensureBuilt(projects: readonly string[]): void {
  execFileSync(
    process.execPath,
    [require.resolve('nx/bin/nx'), 'run-many', '-t', 'build', '-p', ...projects, '--output-style=static'],
    {
      cwd: WORKSPACE,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    },
  );
}

/** The built entry point of a service, as `node` runs it. */
export function serviceEntry(service: string): string {
  return resolve(WORKSPACE, 'apps', service, 'dist', 'main.js');
}

export const WORKSPACE_ROOT = WORKSPACE;
