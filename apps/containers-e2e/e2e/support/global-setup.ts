import { startComposeStack, whyContainersAreUnavailable, type RunningStack } from './compose-stack';
import { CONTAINERS_ENV } from './containers-env';

const STARTED = Symbol.for('runnerly:containers-e2e-stack');
type GlobalWithStack = typeof globalThis & { [STARTED]?: RunningStack };

/**
 * Builds the images and starts docker-compose.yml once for the run. It never throws: a machine without Docker
 * makes the suites skip (or fail under RUNNERLY_REQUIRE_ALL=1), a stack that does not come up makes them fail,
 * and in both cases the other projects of `npm test` still run.
 */
export default async function globalSetup(): Promise<void> {
  const holder = globalThis as GlobalWithStack;
  if (holder[STARTED]) return;

  const unavailable = await whyContainersAreUnavailable();
  if (unavailable) {
    process.env[CONTAINERS_ENV.unavailable] = unavailable;
    return;
  }
  try {
    const stack = await startComposeStack();
    holder[STARTED] = stack;
    process.env[CONTAINERS_ENV.project] = stack.project;
    process.env[CONTAINERS_ENV.gatewayUrl] = stack.gatewayUrl;
    process.stderr.write(
      `\nContainer stack: compose project ${stack.project}, gateway ${stack.gatewayUrl}, ` +
        `built and healthy in ${stack.startSeconds} s\n`,
    );
  } catch (error) {
    process.env[CONTAINERS_ENV.failed] = error instanceof Error ? error.message : String(error);
  }
}
