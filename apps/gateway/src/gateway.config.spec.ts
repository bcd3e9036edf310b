import { localServiceUrl, UPSTREAMS } from '@runnerly/platform';
import { loadConfig } from '@runnerly/security';
import { GatewayConfig, instancesOf } from './gateway.config';

const load = (env: Record<string, string>) => loadConfig(GatewayConfig, { NODE_ENV: 'test', ...env });

describe('GatewayConfig <NAME>_URL, one per internal service of the manifest', () => {
  it('defaults each to the service on this machine, at its manifest port', () => {
    const config = load({});
    expect(UPSTREAMS.map((upstream) => instancesOf(config, upstream))).toEqual(
      UPSTREAMS.map((upstream) => [localServiceUrl(upstream)]),
    );
    expect(instancesOf(config, 'runs')).toEqual(['http://127.0.0.1:3002']);
  });

  it.each([
    ['one URL, as before', 'http://runs:3002', ['http://runs:3002']],
    [
      'a comma-separated list',
      'http://runs-1:3002, https://runs-2:3002',
      ['http://runs-1:3002', 'https://runs-2:3002'],
    ],
  ])('reads %s', (_case, value, instances) => {
    expect(instancesOf(load({ RUNS_URL: value }), 'runs')).toEqual(instances);
  });

  it.each([
    ['an entry that is no http(s) URL', 'http://runs-1:3002,ftp://runs-2:21'],
    ['an entry without a scheme', 'http://runs-1:3002,runs-2:3002'],
    ['an empty list', ' , '],
    ['more than 16 instances', Array.from({ length: 17 }, (_, i) => `http://runs-${i}:3002`).join(',')],
  ])('refuses %s at boot', (_case, value) => {
    expect(() => load({ RUNS_URL: value })).toThrow(/RUNS_URL/);
    expect(() => load({ USERS_URL: value })).toThrow(/USERS_URL/);
  });
});

describe('GatewayConfig in production', () => {
  const production = (env: Record<string, string>) => () =>
    loadConfig(GatewayConfig, {
      NODE_ENV: 'production',
      USERS_URL: 'https://users-1:3001,https://users-2:3001',
      RUNS_URL: 'https://runs:3002',
      JWKS_URL: 'https://users:3001/.well-known/jwks.json',
      PUBLIC_ORIGIN: 'https://runnerly.example',
      ...env,
    });

  it('starts with https:// URLs of every service', () => {
    expect(production({})).not.toThrow();
  });

  it('requires PUBLIC_ORIGIN: the one origin whose pages may use the browser session', () => {
    expect(production({ PUBLIC_ORIGIN: undefined as unknown as string })).toThrow(
      'PUBLIC_ORIGIN: required in production',
    );
  });

  it.each(['https://runnerly.example/', 'https://runnerly.example/app', 'runnerly.example'])(
    'refuses PUBLIC_ORIGIN %s: an origin only',
    (origin) => {
      expect(production({ PUBLIC_ORIGIN: origin })).toThrow('PUBLIC_ORIGIN: must be an origin');
    },
  );

  it.each([
    ['USERS_URL', 'https://users-1:3001,http://users-2:3001'],
    ['RUNS_URL', 'http://runs:3002'],
    ['JWKS_URL', 'http://users:3001/.well-known/jwks.json'],
  ])('refuses %s with a plaintext instance: %s', (variable, value) => {
    expect(production({ [variable]: value })).toThrow(`${variable}: plaintext in production`);
  });
});
