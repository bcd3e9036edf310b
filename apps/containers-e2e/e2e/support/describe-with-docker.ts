import { everythingRequired } from '@runnerly/testing';
import { CONTAINERS_ENV } from './containers-env';

export interface ComposeStackUnderTest {
  /** http://127.0.0.1:<port>, the only published port. */
  gatewayUrl: string;
  /** The compose project name of the stack. */
  project: string;
}

/**
 * `describe` for suites that need the compose stack of the global setup. Without a Docker engine or compose
 * the suite is skipped with a loud reason, or fails when everything is required (RUNNERLY_REQUIRE_ALL=1, as
 * CI sets it). A stack that could not be built or started always fails: that is a bug, not a missing tool.
 */
export function describeWithDocker(name: string, body: (stack: ComposeStackUnderTest) => void): void {
  const failed = process.env[CONTAINERS_ENV.failed];
  const unavailable = process.env[CONTAINERS_ENV.unavailable];
  const gatewayUrl = process.env[CONTAINERS_ENV.gatewayUrl];
  const project = process.env[CONTAINERS_ENV.project];

  if (gatewayUrl && project) {
    describe(name, () => body({ gatewayUrl, project }));
    return;
  }
  if (failed || everythingRequired()) {
    const reason = failed
      ? `the compose stack did not start: ${failed}`
      : `Docker is required (RUNNERLY_REQUIRE_ALL=1) but unavailable: ${unavailable ?? 'the global setup did not run'}`;
    describe(name, () => {
      it('has the running compose stack it needs', () => {
        throw new Error(reason);
      });
    });
    return;
  }
  process.emitWarning(
    `SKIPPED "${name}": it needs Docker and compose, and ${unavailable ?? 'the global setup did not run'}.`,
  );
  describe.skip(`${name} [skipped: needs Docker]`, () => body({ gatewayUrl: '', project: '' }));
}
