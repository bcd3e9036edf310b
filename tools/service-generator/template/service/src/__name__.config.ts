import { ResourceServiceConfig, serviceNamed } from '@runnerly/platform';

/** Everything `__name__` reads from its environment, validated at boot: its database, the JWKS of `users`, ... */
export class __Name__Config extends ResourceServiceConfig {
  override PORT = serviceNamed('__name__').port;
}
