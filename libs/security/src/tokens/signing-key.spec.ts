import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { generateRsaPrivateKeyPem } from '../testing';
import { SigningKey } from './signing-key';

/** RFC 7638 §3.1: the example RSA key and its thumbprint. */
const RFC7638_KEY = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs' +
    'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5' +
    'hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
};
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

const pemOf = (key: KeyObject) =>
  key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString();

describe('SigningKey', () => {
  let privateKeyPem: string;
  let key: SigningKey;

  beforeAll(() => {
    privateKeyPem = generateRsaPrivateKeyPem();
    key = SigningKey.fromPrivateKeyPem(privateKeyPem);
  });

  describe('key id', () => {
    it('is the RFC 7638 thumbprint of the public key', () => {
      expect(SigningKey.fromJwk(RFC7638_KEY).kid).toBe(RFC7638_THUMBPRINT);
    });

    it('is the same whether the key is read from its private PEM, its public PEM or its JWK', () => {
      const fromPublicPem = SigningKey.fromPublicKey(pemOf(key.publicKey));
      const fromJwk = SigningKey.fromJwk(key.toJwk());
      expect([fromPublicPem.kid, fromJwk.kid]).toEqual([key.kid, key.kid]);
    });
  });

  it('holds its keys as KeyObjects, never as strings', () => {
    expect(key.publicKey).toBeInstanceOf(KeyObject);
    expect(key.privateKey).toBeInstanceOf(KeyObject);
    expect([key.publicKey.type, key.privateKey?.type]).toEqual(['public', 'private']);
  });

  it('can sign only when it holds the private key', () => {
    expect(key.canSign).toBe(true);
    expect(SigningKey.fromPublicKey(key.publicKey).canSign).toBe(false);
  });

  it('publishes only the public members in its JWK', () => {
    const { n, e } = key.publicKey.export({ format: 'jwk' });
    expect(key.toJwk()).toEqual({ kty: 'RSA', kid: key.kid, alg: 'RS256', use: 'sig', n, e });
  });

  describe('refuses keys too weak or of the wrong type', () => {
    it.each([
      [
        'a 1024-bit RSA private key',
        () => SigningKey.fromPrivateKeyPem(generateRsaPrivateKeyPem(1024)),
        /at least 2048 bits \(got 1024\)/,
      ],
      [
        'a 1024-bit RSA public key',
        () => SigningKey.fromPublicKey(createPublicKey(generateRsaPrivateKeyPem(1024))),
        /at least 2048 bits/,
      ],
      [
        'a 1024-bit RSA JWK',
        () => SigningKey.fromJwk(createPublicKey(generateRsaPrivateKeyPem(1024)).export({ format: 'jwk' })),
        /at least 2048 bits/,
      ],
      [
        'an EC key',
        () =>
          SigningKey.fromPrivateKeyPem(pemOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)),
        /must be RSA \(got ec\)/,
      ],
      [
        'an Ed25519 key',
        () => SigningKey.fromPublicKey(generateKeyPairSync('ed25519').publicKey),
        /must be RSA \(got ed25519\)/,
      ],
      [
        'an RSA-PSS key',
        () => SigningKey.fromPublicKey(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey),
        /must be RSA \(got rsa-pss\)/,
      ],
    ])('refuses %s', (_case, load, message) => {
      expect(load).toThrow(message);
    });

    it('refuses a PEM that is not a private key', () => {
      expect(() => SigningKey.fromPrivateKeyPem(pemOf(key.publicKey))).toThrow();
    });
  });
});
