// @peculiar/x509 resolves its parts through tsyringe, which needs the metadata API loaded first.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** ECDSA P-256 with SHA-256: what every TLS client accepts, and keys made in milliseconds. */
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface IssuedCertificate {
  cert: string;
  key: string;
}

export interface CertificateRequest {
  /** The subject's common name; also its first DNS name unless it is an IP address. */
  name: string;
  /** DNS names and IP addresses the certificate is valid for (subjectAltName), besides `name`. */
  altNames?: readonly string[];
  /** What the holder may prove with it: serve TLS, connect as a client (mutual TLS), or both. */
  usage: 'server' | 'client' | 'server and client';
  /** Default 90 days, the longest that clients trusting a public CA accept today is 398. */
  validDays?: number;
  /** Default now; a test sets it in the past to make an expired certificate. */
  notBefore?: Date;
  /** The certificate's key: ECDSA P-256 (default), or RSA 2048 for what only RSA certificates negotiate. */
  keyType?: 'ecdsa' | 'rsa';
}

/** An RSA key as TLS uses it; the CA still signs with ECDSA. */
const RSA_KEY = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

/**
 * A private certificate authority for development and tests: it signs certificates for `localhost` and the
 * services' names. Never a production CA: its key sits in a file (or in memory) next to what it signs.
 */
export class DevelopmentCa {
  private constructor(
    readonly cert: string,
    private readonly keys: CryptoKeyPair,
    private readonly subject: string,
  ) {}

  static async create(name = 'Runnerly development CA', validDays = 825): Promise<DevelopmentCa> {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const notBefore = new Date();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: `CN=${name}`,
      notBefore,
      notAfter: new Date(notBefore.getTime() + validDays * DAY_MS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        // A CA that may sign end-entity certificates only (path length 0), and nothing but certificates and CRLs.
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new DevelopmentCa(certificate.toString('pem'), keys, certificate.subject);
  }

  /** A CA made before, from its certificate and private key (PEM, as `cert` and `privateKey()` gave them). */
  static async load(cert: string, key: string): Promise<DevelopmentCa> {
    const certificate = new x509.X509Certificate(cert);
    const privateKey = await webcrypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decodeFirst(key),
      ALGORITHM,
      true,
      ['sign'],
    );
    const publicKey = await certificate.publicKey.export(ALGORITHM, ['verify'], webcrypto);
    return new DevelopmentCa(certificate.toString('pem'), { privateKey, publicKey }, certificate.subject);
  }

  /** The CA's private key, PEM: to keep it (0600) and sign again on the next start. */
  async privateKey(): Promise<string> {
    return pemOf(await webcrypto.subtle.exportKey('pkcs8', this.keys.privateKey));
  }

  async issue(request: CertificateRequest): Promise<IssuedCertificate> {
    const algorithm = request.keyType === 'rsa' ? RSA_KEY : ALGORITHM;
    const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
    const names = [request.name, ...(request.altNames ?? [])];
    const notBefore = request.notBefore ?? new Date();
    const usages = {
      server: [SERVER_AUTH],
      client: [CLIENT_AUTH],
      'server and client': [SERVER_AUTH, CLIENT_AUTH],
    }[request.usage];
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: `CN=${request.name}`,
      issuer: this.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + (request.validDays ?? 90) * DAY_MS),
      signingKey: this.keys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(usages, false),
        new x509.SubjectAlternativeNameExtension(
          names.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value })),
          false,
        ),
        await x509.AuthorityKeyIdentifierExtension.create(this.keys.publicKey),
      ],
    });
    return {
      cert: certificate.toString('pem'),
      key: pemOf(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    };
  }
}

/** 16 random bytes, the first bit clear: a positive serial number that nobody can predict. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

function pemOf(pkcs8: ArrayBuffer): string {
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}
