import { ConfigError, JWKS_DEFAULTS, loadConfig } from '@runnerly/security';
import { RunsConfig } from './runs.config';

const DATABASE_URL = 'postgres://runs:a-long-generated-password-0123456789@db:5432/runs';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(RunsConfig, { DATABASE_URL, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('RunsConfig', () => {
  it('has safe defaults for everything but the database', () => {
    expect(loadConfig(RunsConfig, { DATABASE_URL })).toMatchObject({
      PORT: 3002,
      HOST: '127.0.0.1',
      DATABASE_MIGRATE_ON_START: true,
      JWT_ISSUER: 'runnerly-users',
      JWKS_URL: 'http://127.0.0.1:3001/.well-known/jwks.json',
      JWKS_CACHE_TTL_MS: JWKS_DEFAULTS.cacheTtlMs,
      JWKS_MIN_REFETCH_INTERVAL_MS: JWKS_DEFAULTS.minRefetchIntervalMs,
    });
  });

  it('refuses to start without a database', () => {
    expect(() => loadConfig(RunsConfig, {})).toThrow(ConfigError);
  });

  it.each([
    ['a DATABASE_URL of another kind', { DATABASE_URL: 'mysql://runs:pw@db/runs' }, 'DATABASE_URL'],
    ['a JWKS_URL read from a file', { JWKS_URL: 'file:///etc/passwd' }, 'JWKS_URL'],
    ['a JWKS_URL without a scheme', { JWKS_URL: 'users:3001/.well-known/jwks.json' }, 'JWKS_URL'],
    [
      'a refetch interval that would let forged kids flood users',
      { JWKS_MIN_REFETCH_INTERVAL_MS: '10' },
      'JWKS_MIN_REFETCH_INTERVAL_MS',
    ],
    ['a cache TTL over a day', { JWKS_CACHE_TTL_MS: String(25 * 3_600_000) }, 'JWKS_CACHE_TTL_MS'],
  ])('refuses %s', (_case, env, variable) => {
    // eslint-disable-next-line security/detect-non-literal-regexp -- variable comes from the table above
    expect(problemsOf(env)).toEqual([expect.stringMatching(new RegExp(`^${variable}: `))]);
  });

  it('accepts the JWKS of users on the internal network', () => {
    expect(problemsOf({ JWKS_URL: 'http://users:3001/.well-known/jwks.json' })).toEqual([]);
  });

  it('refuses a weak database password in production', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://runs:runs@db:5432/runs?sslmode=verify-full',
        JWKS_URL: 'https://users:3001/.well-known/jwks.json',
      }),
    ).toEqual([expect.stringMatching(/^DATABASE_URL: too weak for production/)]);
  });

  // Whoever answers in place of users on the network would hand runs keys of their own, and runs would accept
  // every token they sign.
  it('refuses to fetch the JWKS over plain HTTP in production', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://runs:Vq8nR2xL5mT9wK3jP7cF@db:5432/runs?sslmode=verify-full',
      }),
    ).toEqual([
      'JWKS_URL: plaintext in production: use an https:// URL, or set ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS=true for a connection that never leaves the host',
    ]);
  });
});
