import { createPublicKey } from 'node:crypto';
import { ConfigError } from '@runnerly/security';
import { generateRsaPrivateKeyPem } from '@runnerly/security/testing';
import { retiredPublicKeys } from './signing-keys';

describe('JWT_RETIRED_PUBLIC_KEYS', () => {
  const spki = () =>
    createPublicKey(generateRsaPrivateKeyPem()).export({ type: 'spki', format: 'pem' }).toString();
  const pkcs1 = () =>
    createPublicKey(generateRsaPrivateKeyPem()).export({ type: 'pkcs1', format: 'pem' }).toString();

  it('reads every SPKI public key of the bundle', () => {
    const [first, second] = [spki(), spki()];
    expect(retiredPublicKeys(`${first}\n${second}`).map((pem) => pem.trim())).toEqual([
      first.trim(),
      second.trim(),
    ]);
  });

  it('is empty when unset', () => {
    expect(retiredPublicKeys(undefined)).toEqual([]);
  });

  it.each([
    ['an RSA (PKCS#1) public key', () => `${spki()}\n${pkcs1()}`, 'found "BEGIN RSA PUBLIC KEY"'],
    ['a private key', () => generateRsaPrivateKeyPem(), 'found "BEGIN PRIVATE KEY"'],
    ['no PEM at all', () => 'not a key', 'holds no PEM block'],
  ])('refuses to start with %s rather than skip it', (_case, value, problem) => {
    expect(() => retiredPublicKeys(value())).toThrow(ConfigError);
    expect(() => retiredPublicKeys(value())).toThrow(problem);
  });
});
