import { SecurityRedis } from './security-redis';

// Nothing listens on port 1: these look at the connection options only. That rediss:// really runs over TLS
// with the certificate checked is shown by the compose stack, whose Redis accepts TLS 1.3 clients only
// (apps/containers-e2e/e2e/transport.e2e-spec.ts).
describe('SecurityRedis.connect', () => {
  const connections: SecurityRedis[] = [];
  const connect = (...args: Parameters<typeof SecurityRedis.connect>) => {
    const redis = SecurityRedis.connect(...args);
    connections.push(redis);
    return redis;
  };
  afterAll(() => connections.forEach(({ client }) => client.disconnect()));

  it('speaks TLS 1.3 to a rediss:// URL, trusting the given CA only', () => {
    const { client } = connect('rediss://127.0.0.1:1', { ca: 'CA PEM' });
    expect(client.options.tls).toEqual({ ca: 'CA PEM', minVersion: 'TLSv1.3' });
  });

  it('trusts the system CAs for a rediss:// URL without a CA', () => {
    const { client } = connect('rediss://127.0.0.1:1');
    expect(client.options.tls).toEqual({ ca: undefined, minVersion: 'TLSv1.3' });
  });

  it('never turns TLS on for a redis:// URL', () => {
    expect(connect('redis://127.0.0.1:1', { ca: 'CA PEM' }).client.options.tls).toBeUndefined();
  });

  it('reports a Redis that does not answer as unreachable, without throwing', async () => {
    expect(await connect('redis://127.0.0.1:1').isReachable()).toBe(false);
  });
});
