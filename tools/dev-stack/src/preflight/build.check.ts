import { access } from 'node:fs/promises';
import { relative } from 'node:path';
import { type ServiceName } from '@runnerly/platform';

/**
 * Throws, naming what is missing, when a service has not been built. `npm start` builds first; this
 * catches `node tools/dev-stack/dist/main.js` run on a fresh clone or after `rm -rf apps/users/dist`.
 */
export async function assertServicesBuilt(
  entries: Record<ServiceName, string>,
  repoRoot: string,
): Promise<void> {
  const missing: string[] = [];
  for (const entry of Object.values(entries)) {
    await access(entry).catch(() => missing.push(relative(repoRoot, entry)));
  }
  if (missing.length > 0) {
    throw new Error(
      `The services are not built (missing ${missing.join(', ')}). ` +
        'Run "npm start", which builds them first, or "npm run build".',
    );
  }
}
