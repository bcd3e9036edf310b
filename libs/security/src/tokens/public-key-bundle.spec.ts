import { createPublicKey } from 'node:crypto';
import { IsOptional } from 'class-validator';
import { loadConfig } from '../config/load-config';
import { ConfigError } from '../config/config-error';
import { generateRsaPrivateKeyPem } from '../testing/test-keys';
import { IsPublicKeyBundle, parsePublicKeyBundle } from './public-key-bundle';
import { SigningKey } from './signing-key';

const spki = (bits = 2048) =>
  createPublicKey(generateRsaPrivateKeyPem(bits)).export({ type: 'spki', format: 'pem' }).toString();
const pkcs1 = () =>
  createPublicKey(generateRsaPrivateKeyPem()).export({ type: 'pkcs1', format: 'pem' }).toString();

class BundleConfig {
  @IsOptional()
  @IsPublicKeyBundle()
  RETIRED_KEYS?: string;
}

describe('parsePublicKeyBundle', () => {
  it('reads every SPKI public key of the bundle, with its key id', () => {
    const [first, second] = [spki(), spki()];
    expect(parsePublicKeyBundle(`${first}\n${second}`).map((key) => key.kid)).toEqual([
      SigningKey.fromPublicKey(first).kid,
      SigningKey.fromPublicKey(second).kid,
    ]);
  });

  it.each([
    ['an RSA (PKCS#1) public key', () => `${spki()}\n${pkcs1()}`, 'found "BEGIN RSA PUBLIC KEY"'],
    ['a private key', () => generateRsaPrivateKeyPem(), 'found "BEGIN PRIVATE KEY"'],
    ['no PEM at all', () => 'not a key', 'holds no PEM block'],
    ['a 1024-bit key', () => spki(1024), 'key 1: RSA signing keys must have at least 2048 bits'],
  ])('refuses %s rather than skip it', (_case, value, problem) => {
    expect(() => parsePublicKeyBundle(value())).toThrow(problem);
  });
});

describe('@IsPublicKeyBundle()', () => {
  it('stops loadConfig with the problem, never quoting the key', () => {
    const privateKey = generateRsaPrivateKeyPem();
    const attempt = () => loadConfig(BundleConfig, { RETIRED_KEYS: privateKey });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'RETIRED_KEYS: only "BEGIN PUBLIC KEY" blocks are accepted, found "BEGIN PRIVATE KEY"',
    );
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain(privateKey.split('\n')[1]);
    }
  });

  it('accepts a bundle of public keys', () => {
    const bundle = `${spki()}${spki()}`;
    expect(loadConfig(BundleConfig, { RETIRED_KEYS: bundle }).RETIRED_KEYS).toBe(bundle);
  });
});
