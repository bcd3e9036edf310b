import { loadConfig } from '@runnerly/security';
import { GatewayConfig } from './gateway.config';

const load = (env: Record<string, string>) => loadConfig(GatewayConfig, { NODE_ENV: 'test', ...env });

describe('GatewayConfig USERS_URL and RUNS_URL', () => {
  it.each([
    ['one URL, as before', 'http://runs:3002', ['http://runs:3002']],
    [
      'a comma-separated list',
      'http://runs-1:3002, https://runs-2:3002',
      ['http://runs-1:3002', 'https://runs-2:3002'],
    ],
  ])('reads %s', (_case, value, instances) => {
    expect(load({ RUNS_URL: value }).RUNS_URL).toEqual(instances);
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
