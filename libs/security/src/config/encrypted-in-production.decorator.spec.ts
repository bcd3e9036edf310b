import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ConfigError } from './config-error';
import { EncryptedInProduction, isHttps } from './encrypted-in-production.decorator';
import { loadConfig } from './load-config';
import { ToBoolean } from './to-boolean.decorator';

class StoreConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV = 'development';

  @ToBoolean()
  @IsBoolean()
  ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS = false;

  @IsOptional()
  @EncryptedInProduction((url) => url.protocol === 'stores:', 'use a stores:// URL')
  STORE_URL?: string;
}

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(StoreConfig, env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('@EncryptedInProduction()', () => {
  it('refuses a plaintext URL in production, saying what to write instead', () => {
    expect(problemsOf({ NODE_ENV: 'production', STORE_URL: 'store://db:1' })).toEqual([
      'STORE_URL: plaintext in production: use a stores:// URL, or set ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS=true ' +
        'for a connection that never leaves the host',
    ]);
  });

  it('accepts an encrypted URL in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', STORE_URL: 'stores://db:1' })).toEqual([]);
  });

  it('accepts a plaintext URL in production when the operator allows it explicitly', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        STORE_URL: 'store://127.0.0.1:1',
        ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS: 'true',
      }),
    ).toEqual([]);
  });

  it.each(['development', 'test'])('accepts a plaintext URL in %s', (NODE_ENV) => {
    expect(problemsOf({ NODE_ENV, STORE_URL: 'store://db:1' })).toEqual([]);
  });

  it('leaves an absent or malformed URL to the field’s other rules', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([]);
    expect(problemsOf({ NODE_ENV: 'production', STORE_URL: 'not a url' })).toEqual([]);
  });
});

describe('isHttps', () => {
  it('tells an https:// URL of a service from a plaintext one', () => {
    expect(isHttps(new URL('https://users:3001/.well-known/jwks.json'))).toBe(true);
    expect(isHttps(new URL('http://users:3001/.well-known/jwks.json'))).toBe(false);
  });
});
