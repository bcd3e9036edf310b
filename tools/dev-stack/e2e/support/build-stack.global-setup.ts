import { ensureBuilt } from '@runnerly/dev-infra';

/** The end-to-end specs run what `npm start` runs: the built launcher and the built services. */
export default function buildStack(): void {
  ensureBuilt(['users', 'runs', 'gateway', 'dev-stack']);
}
