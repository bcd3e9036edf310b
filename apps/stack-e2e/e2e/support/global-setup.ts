import { SERVICE_NAMES } from '@runnerly/platform';
import { ensureBuilt, setUpTestInfrastructure } from '@runnerly/testing';

/**
 * The services this suite starts as processes, built first, then PostgreSQL and Redis for the run. In that order
 * because jest skips the global teardown when a global setup throws: a failed build must not leave containers.
 */
export default async function globalSetup(): Promise<void> {
  ensureBuilt(SERVICE_NAMES);
  await setUpTestInfrastructure();
}
