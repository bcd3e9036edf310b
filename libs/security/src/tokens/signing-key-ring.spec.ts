import { createPublicKey } from 'node:crypto';
import { generateRsaPrivateKeyPem } from '../testing';
import { SigningKey } from './signing-key';
import { SigningKeyRing } from './signing-key-ring';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

describe('SigningKeyRing', () => {
  let active: SigningKey;
  let retired: SigningKey;
  let ring: SigningKeyRing;

  beforeAll(() => {
    active = SigningKey.fromPrivateKeyPem(generateRsaPrivateKeyPem());
    retired = SigningKey.fromPrivateKeyPem(generateRsaPrivateKeyPem());
    ring = new SigningKeyRing(active, [SigningKey.fromPublicKey(retired.publicKey)]);
  });

  it('resolves the active key and the retired keys by kid', async () => {
    expect(await ring.resolve(active.kid)).toBe(active.publicKey);
    expect((await ring.resolve(retired.kid))?.equals(retired.publicKey)).toBe(true);
  });

  it('resolves an unknown kid to nothing', async () => {
    expect(await ring.resolve('not-a-kid')).toBeUndefined();
  });

  it('refuses an active key that cannot sign', () => {
    expect(() => new SigningKeyRing(SigningKey.fromPublicKey(active.publicKey))).toThrow(
      /must include its private key/,
    );
  });

  describe('jwks()', () => {
    it('publishes every key, active and retired, once', () => {
      expect(
        ring
          .jwks()
          .keys.map((jwk) => jwk.kid)
          .sort(),
      ).toEqual([active.kid, retired.kid].sort());
    });

    it('publishes no private member of any key', () => {
      for (const jwk of ring.jwks().keys) {
        expect(Object.keys(jwk).filter((member) => PRIVATE_MEMBERS.includes(member))).toEqual([]);
      }
      expect(JSON.stringify(ring.jwks())).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
    });

    it('is a valid JWKS: RSA signature keys for RS256 whose kid is their thumbprint', () => {
      for (const jwk of ring.jwks().keys) {
        expect(jwk).toMatchObject({
          kty: 'RSA',
          use: 'sig',
          alg: 'RS256',
          n: expect.any(String),
          e: expect.any(String),
        });
        expect(createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyType).toBe('rsa');
        expect(SigningKey.fromJwk(jwk).kid).toBe(jwk.kid);
      }
    });
  });
});
