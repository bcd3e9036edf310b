import { ensureBuilt } from '@runnerly/dev-infra';
import { SERVICE_NAMES } from '@runnerly/platform';

/** The end-to-end specs run what `npm start` runs: the built launcher and the built services. */
export default function buildStack(): void {
  ensureBuilt([...SERVICE_NAMES, 'dev-stack']);
}
