import { ConfigError } from '@runnerly/security';
import { parseServiceClients, secretHashOf, secretMatches } from './service-clients';

// parseServiceClients is what TokenDealer runs on OAUTH_CLIENTS when users starts (a ConfigError stops the start);
// oauth.e2e-spec.ts proves the two-secret client through the running service.
const entry = (secret: string, scopes: string[] = ['runs:purge']) => ({
  clientId: 'reporting',
  secretHash: secretHashOf(secret),
  scopes,
});

describe('parseServiceClients', () => {
  it('takes two entries of one client as two secrets of that client, each accepted', () => {
    const clients = parseServiceClients(
      JSON.stringify([entry('first-secret-0123456789'), entry('next-secret-0123456789')]),
    );
    expect(clients).toHaveLength(1);
    expect(clients[0]!.secretSha256s).toHaveLength(2);
    expect(secretMatches(clients[0], 'first-secret-0123456789')).toBe(true);
    expect(secretMatches(clients[0], 'next-secret-0123456789')).toBe(true);
    expect(secretMatches(clients[0], 'another-secret-0123456789')).toBe(false);
  });

  it('refuses two entries of one client that grant different scopes, naming both', () => {
    const parse = () =>
      parseServiceClients(
        JSON.stringify([entry('first-secret-0123456789'), entry('next-secret-0123456789', [])]),
      );
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow('OAUTH_CLIENTS[1]: client reporting is also OAUTH_CLIENTS[0], with other scopes');
  });
});
