import { SERVICE_NAMES } from '@runnerly/platform';
import { ensureBuilt, setUpTestInfrastructure } from '@runnerly/testing';

/** PostgreSQL and Redis for the run, then the services this suite starts as processes. */
export default async function globalSetup(): Promise<void> {
  await setUpTestInfrastructure();
  ensureBuilt(SERVICE_NAMES);
}
