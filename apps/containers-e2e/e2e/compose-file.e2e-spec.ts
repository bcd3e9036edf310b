import {
  COMPOSE_COMMANDS,
  ComposeCli,
  type ComposeFlavour,
  composeInstalled,
  everythingRequired,
  WORKSPACE_ROOT,
} from '@runnerly/testing';

/**
 * The README promises docker-compose.yml works with both compose implementations. The running stack of the
 * other suites uses one of them (v2 when present), and the two accept different keys: each must take the file
 * as written, or a user of the other one finds out on their first `up`.
 */
describe.each(['plugin', 'standalone'] as const)(
  'docker-compose.yml under %s compose',
  (flavour: ComposeFlavour) => {
    const { name } = COMPOSE_COMMANDS[flavour];
    const installed = composeInstalled(flavour);

    if (!installed && !everythingRequired()) {
      process.emitWarning(`SKIPPED the ${name} check of docker-compose.yml: ${name} is not installed.`);
      it.skip(`is accepted as written [skipped: needs ${name}]`, () => undefined);
      return;
    }

    it(`is accepted as written by ${name}`, async () => {
      if (!installed) throw new Error(`${name} is required (RUNNERLY_REQUIRE_ALL=1) but not installed`);
      const compose = new ComposeCli(flavour, 'runnerly-config-check', WORKSPACE_ROOT, {});
      const result = await compose.run(['config', '--quiet'], 60_000);
      expect(result).toEqual({ code: 0, output: '' });
    });

    it(`is accepted with the observability profile by ${name}, which adds Prometheus`, async () => {
      if (!installed) throw new Error(`${name} is required (RUNNERLY_REQUIRE_ALL=1) but not installed`);
      const compose = new ComposeCli(flavour, 'runnerly-config-check', WORKSPACE_ROOT, {
        COMPOSE_PROFILES: 'observability',
      });
      expect(await compose.run(['config', '--quiet'], 60_000)).toEqual({ code: 0, output: '' });
      const services = await compose.run(['config', '--services'], 60_000);
      expect(services.output.split('\n')).toContain('prometheus');
    });

    it(`is accepted with docker-compose.https.yml by ${name}`, async () => {
      if (!installed) throw new Error(`${name} is required (RUNNERLY_REQUIRE_ALL=1) but not installed`);
      const compose = new ComposeCli(flavour, 'runnerly-config-check', WORKSPACE_ROOT, {}, [
        'docker-compose.yml',
        'docker-compose.https.yml',
      ]);
      const result = await compose.run(['config', '--quiet'], 60_000);
      expect(result).toEqual({ code: 0, output: '' });
    });
  },
);
