import { internalFetch } from '@runnerly/security';
import { everythingRequired } from '@runnerly/security/testing';
import {
  type ComposeStackOptions,
  type RunningStack,
  startComposeStack,
  whyContainersAreUnavailable,
} from './compose-stack';

/** What a test file gets of the stack its project's global setup started. */
export interface ComposeStackUnderTest {
  /** http(s)://127.0.0.1:<port>, the only published port. */
  gatewayUrl: string;
  /** `fetch` for the gateway: over HTTPS, trusting the stack's CA (as `curl --cacert secrets/internal_ca.pem`). */
  gatewayFetch: typeof fetch;
  /** The stack CA's certificate (PEM) when the gateway serves HTTPS, for a client other than fetch. */
  gatewayCa: string | undefined;
  /** The compose project name; its containers carry the label com.docker.compose.project=<name>. */
  project: string;
}

type GlobalWithStacks = typeof globalThis & { [key: symbol]: RunningStack | undefined };

/**
 * One docker-compose.yml stack for one jest project: the project's global setup starts it under a compose
 * project of its own (so a suite that kills containers never disturbs another suite's stack), and hands it to
 * the test files, which run in other processes, through environment variables that jest workers inherit.
 */
export class ComposeSuite {
  private readonly env: Record<'gatewayUrl' | 'gatewayCa' | 'project' | 'unavailable' | 'failed', string>;
  private readonly holder: symbol;

  /**
   * `name` tells the variables of this suite apart from another's: `containers` → RUNNERLY_CONTAINERS_*.
   * `https`: the stack runs with docker-compose.https.yml, its gateway serving HTTPS; `overrides` and
   * `profiles`: more compose files after it, and profiles to start (see ComposeStackOptions).
   */
  constructor(
    name: string,
    private readonly options: Pick<ComposeStackOptions, 'https' | 'overrides' | 'profiles'> = {},
  ) {
    const prefix = `RUNNERLY_${name.toUpperCase()}`;
    this.env = {
      gatewayUrl: `${prefix}_GATEWAY_URL`,
      // The stack CA's certificate (public), for the HTTPS gateway.
      gatewayCa: `${prefix}_GATEWAY_CA`,
      project: `${prefix}_PROJECT`,
      // Why there is no stack because the machine cannot run one (no engine, no compose): the suites skip.
      unavailable: `${prefix}_UNAVAILABLE`,
      // Why the stack did not come up although the machine can run one: the suites fail with this message.
      failed: `${prefix}_FAILED`,
    };
    this.holder = Symbol.for(`runnerly:${name}-stack`);
  }

  /**
   * The global setup: builds the images and starts the stack once for the run. It never throws: a machine
   * without Docker makes the suites skip (or fail under RUNNERLY_REQUIRE_ALL=1), a stack that does not come up
   * makes them fail, and in both cases the other projects of `npm test` still run.
   */
  async setUp(): Promise<void> {
    const holder = globalThis as GlobalWithStacks;
    if (holder[this.holder]) return;
    const unavailable = await whyContainersAreUnavailable();
    if (unavailable) {
      process.env[this.env.unavailable] = unavailable;
      return;
    }
    try {
      const stack = await startComposeStack(this.options);
      holder[this.holder] = stack;
      process.env[this.env.project] = stack.project;
      process.env[this.env.gatewayUrl] = stack.gatewayUrl;
      if (stack.gatewayCa) process.env[this.env.gatewayCa] = stack.gatewayCa;
      process.stderr.write(
        `\nContainer stack: compose project ${stack.project}, gateway ${stack.gatewayUrl}, ` +
          `built and healthy in ${stack.startSeconds} s\n`,
      );
    } catch (error) {
      process.env[this.env.failed] = error instanceof Error ? error.message : String(error);
    }
  }

  /** The global teardown: removes the stack's containers, networks, volumes and secrets (the images stay). */
  async tearDown(): Promise<void> {
    const holder = globalThis as GlobalWithStacks;
    const stack = holder[this.holder];
    holder[this.holder] = undefined;
    await stack?.stop();
  }

  /**
   * `describe` for a file that needs the stack. Without a Docker engine or compose the suite is skipped with
   * a loud reason, or fails when everything is required (RUNNERLY_REQUIRE_ALL=1, as CI sets it). A stack that
   * could not be built or started always fails: that is a bug, not a missing tool.
   */
  describe(name: string, body: (stack: ComposeStackUnderTest) => void): void {
    const failed = process.env[this.env.failed];
    const unavailable = process.env[this.env.unavailable];
    const gatewayUrl = process.env[this.env.gatewayUrl];
    const project = process.env[this.env.project];

    if (gatewayUrl && project) {
      const ca = process.env[this.env.gatewayCa];
      const gatewayFetch = ca ? internalFetch({ INTERNAL_TLS_CA: ca }) : fetch;
      describe(name, () => body({ gatewayUrl, gatewayFetch, gatewayCa: ca, project }));
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
    describe.skip(`${name} [skipped: needs Docker]`, () =>
      body({ gatewayUrl: '', gatewayFetch: fetch, gatewayCa: undefined, project: '' }));
  }
}
