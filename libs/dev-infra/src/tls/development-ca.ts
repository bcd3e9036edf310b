import { createPrivateKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '../build/ensure-built';

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

/** The certificate writer of the compose stack's `secrets-init` (plain Node), which this class wraps. */
interface InternalCa {
  createCertificateAuthority(options: { name: string; validDays: number }): IssuedCertificate;
  issueCertificate(
    ca: IssuedCertificate,
    names: string[],
    options: Omit<CertificateRequest, 'name' | 'altNames'>,
  ): IssuedCertificate;
}

let internalCa: Promise<InternalCa> | undefined;
/** infra/docker/compose/internal-ca.mjs, loaded once: an ES module beside the compose file, not a package. */
const loadInternalCa = (): Promise<InternalCa> =>
  // eslint-disable-next-line no-unsanitized/method -- a fixed file of the workspace, no input reaches the path
  (internalCa ??= import(
    join(WORKSPACE_ROOT, 'infra/docker/compose/internal-ca.mjs')
  ) as Promise<InternalCa>);

/**
 * A private certificate authority for development and tests: it signs certificates for `localhost` and the
 * services' names. Never a production CA: its key sits in a file (or in memory) next to what it signs. The
 * certificates are written by the same code as the compose stack's CA (internal-ca.mjs).
 */
export class DevelopmentCa {
  private constructor(
    readonly cert: string,
    private readonly key: string,
  ) {}

  static async create(name = 'Runnerly development CA', validDays = 825): Promise<DevelopmentCa> {
    const { cert, key } = (await loadInternalCa()).createCertificateAuthority({ name, validDays });
    return new DevelopmentCa(cert, key);
  }

  /** A CA made before, from its certificate and private key (PEM, as `cert` and `privateKey()` gave them). */
  static async load(cert: string, key: string): Promise<DevelopmentCa> {
    const certificate = new X509Certificate(cert);
    if (!certificate.ca || !certificate.checkPrivateKey(createPrivateKey(key)))
      throw new Error('Not a CA certificate with its private key');
    return new DevelopmentCa(cert, key);
  }

  /** The CA's private key, PEM: to keep it (0600) and sign again on the next start. */
  async privateKey(): Promise<string> {
    return this.key;
  }

  async issue(request: CertificateRequest): Promise<IssuedCertificate> {
    const { name, altNames = [], validDays = 90, ...options } = request;
    return (await loadInternalCa()).issueCertificate(
      { cert: this.cert, key: this.key },
      [name, ...altNames],
      { ...options, validDays },
    );
  }
}
