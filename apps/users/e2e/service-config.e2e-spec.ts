import { DEFAULT_READINESS_CACHE_MS } from '@runnerly/platform';
import { ConfigError, loadConfig } from '@runnerly/security';
import { DataSource } from 'typeorm';
import { generateRsaPrivateKeyPem } from '@runnerly/security/testing';
import { UsersConfig } from '../src/users.config';
import { UsersTestApp } from './support/users-test-app';

const strongKey = generateRsaPrivateKeyPem();
const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://users:Vq8nR2xL5mT9wK3jP7cF@db:5432/users?sslmode=verify-full',
  REDIS_URL: 'rediss://users:Vq8nR2xL5mT9wK3jP7cF@redis:6379',
  JWT_PRIVATE_KEY: strongKey,
  DATA_ENCRYPTION_KEYS: 'prod-1:U6R1tis3swB3iHVVCoiiKTrj5OduJNjoLGaf7CopgyI',
  PUBLIC_ORIGIN: 'https://runnerly.example',
};

describe('in production, users refuses to start', () => {
  it.each([
    ['without a signing key', { JWT_PRIVATE_KEY: undefined }, 'JWT_PRIVATE_KEY: required in production'],
    [
      'without data encryption keys',
      { DATA_ENCRYPTION_KEYS: undefined },
      'DATA_ENCRYPTION_KEYS: required in production',
    ],
    [
      'with an RSA key shorter than 2048 bits',
      { JWT_PRIVATE_KEY: generateRsaPrivateKeyPem(1024) },
      'JWT_PRIVATE_KEY: too weak',
    ],
    [
      'with a short database password',
      { DATABASE_URL: 'postgres://users:secret1@db:5432/users' },
      'DATABASE_URL: too weak',
    ],
    [
      'with a placeholder database password',
      { DATABASE_URL: 'postgres://users:changeme-changeme-changeme@db/users' },
      'DATABASE_URL: too weak',
    ],
    ['without a database URL', { DATABASE_URL: undefined }, 'DATABASE_URL'],
    // Passwords, tokens and personal data would cross the network readable, to whoever answers at that address.
    [
      'with a database connection that is not TLS with the certificate checked',
      { DATABASE_URL: 'postgres://users:Vq8nR2xL5mT9wK3jP7cF@db:5432/users?sslmode=require' },
      'DATABASE_URL: plaintext in production: add ?sslmode=verify-full',
    ],
    [
      'with a plaintext URL of runs (the purge call)',
      { RUNS_URL: 'http://runs:3002' },
      'RUNS_URL: plaintext in production: use an https:// URL',
    ],
    [
      'with a plaintext Redis connection',
      { REDIS_URL: 'redis://users:Vq8nR2xL5mT9wK3jP7cF@redis:6379' },
      'REDIS_URL: plaintext in production: use a rediss:// URL',
    ],
    // Mailed links would otherwise point wherever a default says, not at the site its users know.
    [
      'without the public origin of mailed links',
      { PUBLIC_ORIGIN: undefined },
      'PUBLIC_ORIGIN: required in production',
    ],
    [
      'with a public origin that has a path',
      { PUBLIC_ORIGIN: 'https://runnerly.example/app' },
      'PUBLIC_ORIGIN: must be an origin',
    ],
    [
      'with an SMTP URL of another scheme',
      { SMTP_URL: 'http://mail.example' },
      'SMTP_URL: SMTP_URL must be a URL',
    ],
  ])('%s', (_case, change, problem) => {
    const attempt = () => loadConfig(UsersConfig, { ...production, ...change });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).problems.join('\n')).toContain(problem);
      // The refusal names what to fix, never the secret itself.
      expect((error as Error).message).not.toContain('secret1');
      expect((error as Error).message).not.toContain('changeme');
    }
  });

  it('starts with strong secrets', () => {
    expect(loadConfig(UsersConfig, production).NODE_ENV).toBe('production');
  });

  it('starts with plaintext internal connections only when the operator allows them explicitly', () => {
    const loopback = {
      ...production,
      DATABASE_URL: 'postgres://users:Vq8nR2xL5mT9wK3jP7cF@127.0.0.1:5432/users',
      REDIS_URL: 'redis://users:Vq8nR2xL5mT9wK3jP7cF@127.0.0.1:6379',
    };
    expect(() => loadConfig(UsersConfig, loopback)).toThrow(ConfigError);
    const config = loadConfig(UsersConfig, { ...loopback, ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS: 'true' });
    expect(config.ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS).toBe(true);
  });
});

const OIDC = {
  OIDC_ISSUER: 'https://accounts.example.com',
  OIDC_CLIENT_ID: 'runnerly',
  OIDC_CLIENT_SECRET: 'Qm4vT8zX2nL6pR9wK3jF5cH1',
  OIDC_PROVIDER_NAME: 'Example ID',
};

describe('the OpenID Connect provider', () => {
  it('is off when none of its four variables is set', () => {
    expect(loadConfig(UsersConfig, production).OIDC_ISSUER).toBeUndefined();
  });

  it('starts with all four, the issuer over https, in production', () => {
    expect(loadConfig(UsersConfig, { ...production, ...OIDC }).OIDC_ISSUER).toBe(OIDC.OIDC_ISSUER);
  });

  it.each([
    [
      'without its client secret (half a configuration)',
      { OIDC_CLIENT_SECRET: undefined },
      'OIDC_CLIENT_SECRET',
    ],
    ['without the name on the button', { OIDC_PROVIDER_NAME: undefined }, 'OIDC_PROVIDER_NAME'],
    ['with an issuer over http', { OIDC_ISSUER: 'http://accounts.example.com' }, 'must be an https:// URL'],
    ['with a placeholder client secret', { OIDC_CLIENT_SECRET: 'changeme' }, 'OIDC_CLIENT_SECRET'],
  ])('stops the boot in production %s', (_case, change, problem) => {
    const attempt = () => loadConfig(UsersConfig, { ...production, ...OIDC, ...change });
    expect(attempt).toThrow(problem);
  });

  it('takes an http issuer outside production only (a provider on this machine, or in the tests)', () => {
    const local = { ...OIDC, OIDC_ISSUER: 'http://127.0.0.1:8080' };
    expect(loadConfig(UsersConfig, { ...production, NODE_ENV: 'development', ...local }).OIDC_ISSUER).toBe(
      local.OIDC_ISSUER,
    );
    expect(() =>
      loadConfig(UsersConfig, { ...production, ...local, ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS: 'true' }),
    ).toThrow('must be an https:// URL');
  });
});

describe('the data encryption keys', () => {
  it('stop the boot when a key is not 32 bytes, naming the key id and never the key', async () => {
    const short = `short-1:${Buffer.alloc(16, 7).toString('base64url')}`;
    const attempt = UsersTestApp.start({ DATA_ENCRYPTION_KEYS: short });
    await expect(attempt).rejects.toThrow('Field encryption key "short-1" must be 32 random bytes');
    await attempt.catch((error: Error) => expect(error.message).not.toContain(short.split(':')[1]));
  }, 60_000);
});

describe('health', () => {
  let users: UsersTestApp;
  beforeAll(async () => {
    users = await UsersTestApp.start();
  }, 60_000);
  afterAll(() => users?.close());

  it('cancels any statement that runs longer than 2 seconds by default (a slow query cannot hold a connection)', async () => {
    const [setting] = await users.app.get(DataSource).query('SHOW statement_timeout');
    expect(setting).toEqual({ statement_timeout: '2s' });
  });

  it('is live and ready while the database answers, without authentication', async () => {
    expect((await users.get('/health/live')).json()).toEqual({ status: 'ok' });
    const ready = await users.get('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok' });
  });

  it('is not ready (503, no details) when its database refuses connections', async () => {
    // The test database and its service role share one name (see createTestDatabase).
    const name = new URL(users.db.adminUrl).pathname.slice(1);
    await users.db.query(`REVOKE CONNECT ON DATABASE "${name}" FROM "${name}"`);
    await users.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [name]);
    // The previous test's answer is shared by every probe for a moment (see HealthController).
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_READINESS_CACHE_MS));
    try {
      const ready = await users.get('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'unavailable' });
    } finally {
      await users.db.query(`GRANT CONNECT ON DATABASE "${name}" TO "${name}"`);
    }
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_READINESS_CACHE_MS));
    expect((await users.get('/health/ready')).statusCode).toBe(200);
  });

  it('answers 503 with Retry-After, not a 500, while the database refuses its role a session (a password being rotated)', async () => {
    const role = decodeURIComponent(new URL(users.db.url).username);
    const password = decodeURIComponent(new URL(users.db.url).password);
    await users.db.query(`ALTER ROLE "${role}" PASSWORD 'changed-by-the-rotation-2026'`);
    await users.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [role]);
    try {
      const refused = await users.post('/auth/register', {
        email: users.nextEmail(),
        password: 'a passphrase long enough',
        displayName: 'During rotation',
      });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(refused.json()).toMatchObject({ code: 'SERVICE.UNAVAILABLE' });
    } finally {
      await users.db.query(`ALTER ROLE "${role}" PASSWORD '${password.replaceAll("'", "''")}'`);
    }
    expect((await users.register()).id).toEqual(expect.any(String));
  });
});
