import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { IsOptional, IsString } from 'class-validator';
import { generateRsaPrivateKeyPem } from '../testing';
import { BaseServiceConfig } from './base-service.config';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';
import { Secret } from './secret.decorator';

class TestConfig extends BaseServiceConfig {
  @Secret()
  @IsOptional()
  @IsString()
  API_SECRET?: string;

  @Secret({ kind: 'url-password' })
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @Secret({ kind: 'private-key' })
  @IsOptional()
  @IsString()
  SIGNING_KEY?: string;

  @Secret({ kind: 'document', requiredInProduction: false })
  @IsOptional()
  @IsString()
  OAUTH_CLIENTS?: string;
}

/** A schema that does not extend BaseServiceConfig: production is then read from the raw NODE_ENV. */
class BareConfig {
  @Secret()
  @IsOptional()
  @IsString()
  TOKEN_SECRET?: string;
}

/** Strong values are made at run time: no secret, not even a test one, is written in the code. */
const strongRandom = () => randomBytes(32).toString('hex');
const strongDatabaseUrl = () => `postgres://users_app:${strongRandom()}@db.internal:5432/users`;

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('loadConfig', () => {
  let strongKeyPem: string;
  let weakKeyPem: string;
  let production: NodeJS.ProcessEnv;

  beforeAll(() => {
    strongKeyPem = generateRsaPrivateKeyPem(2048);
    weakKeyPem = generateRsaPrivateKeyPem(1024);
    production = {
      NODE_ENV: 'production',
      API_SECRET: strongRandom(),
      DATABASE_URL: strongDatabaseUrl(),
      SIGNING_KEY: strongKeyPem,
    };
  });

  describe('values and defaults', () => {
    it('applies the safe defaults when the environment is empty', () => {
      expect(loadConfig(TestConfig, {})).toMatchObject({
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: 3000,
        LOG_LEVEL: 'info',
        TRUST_PROXY_HOPS: 0,
        BODY_LIMIT_BYTES: 16 * 1024,
      });
    });

    it('converts numeric variables to numbers', () => {
      const config = loadConfig(TestConfig, {
        PORT: '8080',
        TRUST_PROXY_HOPS: '2',
        BODY_LIMIT_BYTES: '65536',
      });
      expect(config).toMatchObject({ PORT: 8080, TRUST_PROXY_HOPS: 2, BODY_LIMIT_BYTES: 65536 });
    });

    it('treats an empty variable as unset', () => {
      expect(loadConfig(TestConfig, { PORT: '', LOG_LEVEL: '' })).toMatchObject({
        PORT: 3000,
        LOG_LEVEL: 'info',
      });
    });

    it('returns a frozen object', () => {
      expect(Object.isFrozen(loadConfig(TestConfig, {}))).toBe(true);
    });

    it('ignores variables the schema does not declare', () => {
      expect(loadConfig(TestConfig, { UNRELATED: 'x' })).not.toHaveProperty('UNRELATED');
    });
  });

  describe('invalid values', () => {
    it.each([
      ['PORT', 'port-x9q7'],
      ['PORT', '70000'],
      ['PORT', '-1'],
      ['TRUST_PROXY_HOPS', '11'],
      ['TRUST_PROXY_HOPS', '1.5'],
      ['BODY_LIMIT_BYTES', '12'],
      ['NODE_ENV', 'staging-x9q7'],
      ['LOG_LEVEL', 'loud-x9q7'],
      ['LOG_FORMAT', 'xml-x9q7'],
      ['REDIS_URL', 'http://cache-x9q7:6379'],
    ])('refuses %s=%s with a ConfigError naming the variable but not the value', (name, value) => {
      const problems = problemsOf(() => loadConfig(TestConfig, { [name]: value }));
      // eslint-disable-next-line security/detect-non-literal-regexp -- name comes from the table above
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
      expect(messageOf(() => loadConfig(TestConfig, { [name]: value }))).not.toContain(value);
    });

    it('lists every problem at once', () => {
      const problems = problemsOf(() => loadConfig(TestConfig, { PORT: 'x', LOG_LEVEL: 'y' }));
      expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    });
  });

  describe('secrets from files (NAME_FILE)', () => {
    let dir: string;
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'runnerly-config-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads a secret from the file NAME_FILE points to, without the trailing newline', () => {
      const secret = strongRandom();
      const config = loadConfig(TestConfig, { API_SECRET_FILE: file('api-secret', `${secret}\n`) });
      expect(config.API_SECRET).toBe(secret);
    });

    it('reads a multi-line PEM key from a file', () => {
      const config = loadConfig(TestConfig, { SIGNING_KEY_FILE: file('signing-key.pem', strongKeyPem) });
      expect(config.SIGNING_KEY).toBe(strongKeyPem.trim());
    });

    it('refuses NAME and NAME_FILE together', () => {
      const problems = problemsOf(() =>
        loadConfig(TestConfig, { API_SECRET: strongRandom(), API_SECRET_FILE: file('both', 'x') }),
      );
      expect(problems).toEqual(['API_SECRET: set either API_SECRET or API_SECRET_FILE, not both']);
    });

    it('refuses a NAME_FILE that cannot be read', () => {
      const missing = join(dir, 'missing');
      expect(problemsOf(() => loadConfig(TestConfig, { API_SECRET_FILE: missing }))).toEqual([
        `API_SECRET_FILE: cannot read ${missing}`,
      ]);
    });

    it('treats an empty secret file as unset', () => {
      expect(loadConfig(TestConfig, { API_SECRET_FILE: file('empty', '\n') }).API_SECRET).toBeUndefined();
    });

    it('reads any variable from a file, with the same type conversion', () => {
      expect(loadConfig(TestConfig, { PORT_FILE: file('port', '9999\n') }).PORT).toBe(9999);
    });

    it('uses the injected readFile', () => {
      const readFile = jest.fn().mockReturnValue('from-the-reader');
      expect(
        loadConfig(TestConfig, { OAUTH_CLIENTS_FILE: '/run/secrets/clients' }, { readFile }).OAUTH_CLIENTS,
      ).toBe('from-the-reader');
      expect(readFile).toHaveBeenCalledWith('/run/secrets/clients');
    });
  });

  describe('in production', () => {
    it('starts with strong secrets', () => {
      expect(loadConfig(TestConfig, production)).toMatchObject({
        NODE_ENV: 'production',
        SIGNING_KEY: strongKeyPem,
      });
    });

    it.each(['API_SECRET', 'DATABASE_URL', 'SIGNING_KEY'])('refuses to start without %s', (name) => {
      expect(problemsOf(() => loadConfig(TestConfig, { ...production, [name]: undefined }))).toEqual([
        `${name}: required in production`,
      ]);
    });

    it('starts without a secret marked requiredInProduction: false', () => {
      expect(loadConfig(TestConfig, production).OAUTH_CLIENTS).toBeUndefined();
    });

    it.each([
      ['API_SECRET', 'a short secret', () => 'Sh0rt-but-random', 'must be at least 32 characters'],
      [
        'API_SECRET',
        'a placeholder',
        () => 'changeme-changeme-changeme-changeme-1',
        'looks like a placeholder',
      ],
      [
        'API_SECRET',
        'a placeholder in capitals',
        () => `${strongRandom()}SECRET`,
        'looks like a placeholder',
      ],
      ['API_SECRET', 'few distinct characters', () => 'ab12'.repeat(10), 'has too few distinct characters'],
      [
        'DATABASE_URL',
        'a URL with a weak password',
        () => 'postgres://users_app:postgres@db:5432/users',
        'password must be at least 16 characters',
      ],
      [
        'DATABASE_URL',
        'a URL with a placeholder password',
        () => 'postgres://u:changeme-changeme-1@db/users',
        'password looks like a placeholder',
      ],
      [
        'DATABASE_URL',
        'a URL without a password',
        () => 'postgres://users_app@db:5432/users',
        'has no password',
      ],
      ['DATABASE_URL', 'something that is not a URL', () => 'not a url', 'is not a valid URL'],
      [
        'REDIS_URL',
        'a URL with a placeholder password',
        () => 'rediss://:redis@cache:6379',
        'password must be at least 16 characters',
      ],
      ['SIGNING_KEY', 'an RSA key under 2048 bits', () => weakKeyPem, 'RSA key is shorter than 2048 bits'],
      [
        'SIGNING_KEY',
        'an invalid PEM',
        () => '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----',
        'is not a valid PEM private key',
      ],
    ])('refuses %s that is %s', (name, _case, value, weakness) => {
      const secret = value();
      const load = () => loadConfig(TestConfig, { ...production, [name]: secret });
      expect(problemsOf(load)).toEqual([`${name}: too weak for production (${weakness})`]);
      expect(messageOf(load)).not.toContain(secret);
    });

    it('accepts a URL whose strong password is percent-encoded', () => {
      const password = `${strongRandom()}/+?`;
      const url = `redis://:${encodeURIComponent(password)}@redis.internal:6379`;
      expect(loadConfig(TestConfig, { ...production, DATABASE_URL: url }).DATABASE_URL).toBe(url);
    });

    it('judges a secret read from a file like one from the environment', () => {
      const load = () =>
        loadConfig(
          TestConfig,
          { ...production, API_SECRET: undefined, API_SECRET_FILE: '/run/secrets/api' },
          { readFile: () => 'changeme' },
        );
      expect(problemsOf(load)).toEqual([
        'API_SECRET: too weak for production (must be at least 32 characters)',
      ]);
    });

    it('takes production from NODE_ENV when the schema has no NODE_ENV field', () => {
      expect(problemsOf(() => loadConfig(BareConfig, { NODE_ENV: 'production' }))).toEqual([
        'TOKEN_SECRET: required in production',
      ]);
    });
  });

  describe('outside production', () => {
    it.each(['development', 'test'])('accepts missing and weak secrets in %s', (nodeEnv) => {
      expect(
        loadConfig(TestConfig, { NODE_ENV: nodeEnv, API_SECRET: 'dev', SIGNING_KEY: weakKeyPem }),
      ).toMatchObject({ API_SECRET: 'dev' });
    });
  });
});
