import { IsOptional, IsString } from 'class-validator';
import { BaseServiceConfig } from './base-service.config';
import { describeConfig, REDACTED } from './describe-config';
import { generateRsaPrivateKeyPem } from '../testing/test-keys';
import { Secret } from './secret.decorator';

class SummaryConfig extends BaseServiceConfig {
  @Secret()
  @IsOptional()
  @IsString()
  API_SECRET?: string;

  @Secret({ kind: 'url-password' })
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;
}

const describeWith = (values: Partial<SummaryConfig>) =>
  describeConfig(SummaryConfig, Object.assign(new SummaryConfig(), values));

describe('describeConfig', () => {
  it('replaces a secret by a marker', () => {
    expect(describeWith({ API_SECRET: 'x9q7-the-api-secret' }).API_SECRET).toBe(REDACTED);
  });

  it('keeps the host, port, user and database of a URL secret but not its password', () => {
    const summary = describeWith({
      DATABASE_URL: 'postgres://users_app:x9q7-db-password@db.internal:5432/users',
    });
    expect(summary.DATABASE_URL).not.toContain('x9q7-db-password');
    expect(summary.DATABASE_URL).toBe('postgres://users_app:[REDACTED]@db.internal:5432/users');
    const url = new URL(summary.DATABASE_URL as string);
    expect(decodeURIComponent(url.password)).toBe(REDACTED);
    expect({ user: url.username, host: url.hostname, port: url.port, path: url.pathname }).toEqual({
      user: 'users_app',
      host: 'db.internal',
      port: '5432',
      path: '/users',
    });
  });

  it('leaves a URL without a password as it is', () => {
    expect(describeWith({ REDIS_URL: 'redis://cache.internal:6379' }).REDIS_URL).toBe(
      'redis://cache.internal:6379',
    );
  });

  it('redacts a URL secret that does not parse as a URL entirely', () => {
    expect(describeWith({ DATABASE_URL: 'x9q7 not a url' }).DATABASE_URL).toBe(REDACTED);
  });

  it('never prints key material, whatever field holds it (a private key pasted in the wrong variable)', () => {
    const pem = generateRsaPrivateKeyPem();
    const summary = describeWith({
      JWT_ISSUER: `${pem.trim()}\n${pem.trim()}`,
      HOST: '-----BEGIN PUBLIC KEY-----\nMIIB',
    });
    expect(summary.JWT_ISSUER).toBe('[PRIVATE KEY REDACTED]\n[PRIVATE KEY REDACTED]');
    expect(summary.HOST).toBe('[PUBLIC KEY REDACTED]');
  });

  it('shows unset secrets as unset and other settings as they are', () => {
    expect(describeWith({ PORT: 8080 })).toMatchObject({
      API_SECRET: undefined,
      PORT: 8080,
      HOST: '127.0.0.1',
    });
  });
});
