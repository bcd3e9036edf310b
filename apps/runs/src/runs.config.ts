import { ResourceServiceConfig, serviceNamed } from '@runnerly/platform';

/** Everything `runs` reads from its environment, validated at boot. See docs/reference/configuration.md. */
export class RunsConfig extends ResourceServiceConfig {
  override PORT = serviceNamed('runs').port;
}
