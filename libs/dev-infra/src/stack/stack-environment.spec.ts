import { SERVICE_NAMES, type ServiceName, UPSTREAMS } from '@runnerly/platform';
import { stackEnvironment } from './stack-environment';

const ports = Object.fromEntries(SERVICE_NAMES.map((name, index) => [name, 4000 + index])) as Record<
  ServiceName,
  number
>;
const env = stackEnvironment({
  host: '127.0.0.1',
  ports,
  databases: { users: 'postgres://users@db/users', runs: 'postgres://runs@db/runs' },
  nodeEnv: 'test',
  extra: { runs: { LOG_LEVEL: 'warn' } },
});

describe('stackEnvironment', () => {
  it('gives every service of the manifest its port, and nothing the services share but the stack settings', () => {
    expect(Object.keys(env)).toEqual(SERVICE_NAMES);
    for (const name of SERVICE_NAMES)
      expect(env[name]).toMatchObject({ PORT: String(ports[name]), HOST: '127.0.0.1', NODE_ENV: 'test' });
  });

  it('lets the gateway reach every internal service, and trust no proxy: clients connect to it directly', () => {
    for (const upstream of UPSTREAMS)
      expect(env.gateway[`${upstream.toUpperCase()}_URL`]).toBe(`http://127.0.0.1:${ports[upstream]}`);
    expect(env.gateway.TRUST_PROXY_HOPS).toBe('0');
    expect(env.gateway.DATABASE_URL).toBeUndefined();
  });

  it('gives internal services their own database only, one trusted hop, and the JWKS of users unless they are users', () => {
    expect(env.users).toMatchObject({ DATABASE_URL: 'postgres://users@db/users', TRUST_PROXY_HOPS: '1' });
    expect(env.users.JWKS_URL).toBeUndefined();
    expect(env.users.RUNS_URL).toBe(`http://127.0.0.1:${ports.runs}`);
    expect(env.runs).toMatchObject({
      DATABASE_URL: 'postgres://runs@db/runs',
      TRUST_PROXY_HOPS: '1',
      JWKS_URL: `http://127.0.0.1:${ports.users}/.well-known/jwks.json`,
      LOG_LEVEL: 'warn',
    });
  });

  it('refuses a stack without the database of a service that owns one', () => {
    expect(() => stackEnvironment({ host: '127.0.0.1', ports, databases: {}, nodeEnv: 'test' })).toThrow(
      'No database URL for users',
    );
  });
});
