import { createPrivateKey, X509Certificate } from 'node:crypto';
import { type ServerOptions } from 'node:https';
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * HTTPS for a service: whoever can read or change the traffic between a client and the service takes passwords
 * out of login bodies and tokens out of headers, or answers in its place. TLS 1.3 only by default: it has no
 * suite without forward secrecy or authenticated encryption, and no renegotiation.
 */
export const TLS_MIN_VERSIONS = ['TLSv1.3', 'TLSv1.2'] as const;
export type TlsMinVersion = (typeof TLS_MIN_VERSIONS)[number];

/**
 * The suites offered: TLS 1.3's three, and, only when TLS_MIN_VERSION=TLSv1.2 lets older clients in, TLS 1.2's
 * with forward secrecy (ECDHE) and authenticated encryption (GCM, ChaCha20-Poly1305), as Mozilla's
 * "intermediate" profile: no RSA key exchange, no CBC (Lucky13, POODLE-style padding oracles), no SHA-1 MACs.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The config fields a service serves HTTPS from (BaseServiceConfig declares them). */
export interface TlsServerConfig {
  TLS_CERT?: string;
  TLS_KEY?: string;
  TLS_MIN_VERSION: TlsMinVersion;
}

/** The options of Node's HTTPS server for a service's config, or undefined: it serves plain HTTP. */
export function httpsServerOptions(config: TlsServerConfig): ServerOptions | undefined {
  if (config.TLS_CERT === undefined || config.TLS_KEY === undefined) return undefined;
  return {
    cert: config.TLS_CERT,
    key: config.TLS_KEY,
    minVersion: config.TLS_MIN_VERSION,
    ciphers: TLS_CIPHERS,
    // The server's order, strongest first, not the client's.
    honorCipherOrder: true,
  };
}

/**
 * What is wrong with a certificate and key pair, or undefined: the two go together, the certificate (the first of
 * a chain) parses and is valid now, and the key is its key. Names the problem, never the key.
 */
export function tlsKeyPairProblem(
  cert: string | undefined,
  key: string | undefined,
  now = new Date(),
): string | undefined {
  if (cert === undefined || key === undefined)
    return 'TLS_CERT and TLS_KEY go together: set both, or neither';
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    return 'TLS_CERT is not a PEM certificate';
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    return 'TLS_KEY is not a PEM private key';
  }
  if (!certificate.checkPrivateKey(privateKey)) return "TLS_KEY is not the key of TLS_CERT's certificate";
  if (now < new Date(certificate.validFrom)) return `TLS_CERT is not valid before ${certificate.validFrom}`;
  if (now > new Date(certificate.validTo)) return `TLS_CERT expired on ${certificate.validTo}`;
  return undefined;
}

/**
 * Checks TLS_CERT and TLS_KEY together when either is set, so that a missing half, a wrong key or an expired
 * certificate stops loadConfig, before the service opens a port.
 */
export function IsTlsKeyPair(options?: ValidationOptions): PropertyDecorator {
  const problemOf = (object: object) => {
    const { TLS_CERT, TLS_KEY } = object as Partial<TlsServerConfig>;
    return tlsKeyPairProblem(TLS_CERT, TLS_KEY);
  };
  const validateIf = ValidateIf(
    (object: Partial<TlsServerConfig>) => object.TLS_CERT !== undefined || object.TLS_KEY !== undefined,
  );
  const validate = ValidateBy(
    {
      name: 'isTlsKeyPair',
      validator: {
        validate: (_value, args) => args !== undefined && problemOf(args.object) === undefined,
        defaultMessage: (args) => (args ? (problemOf(args.object) ?? 'is invalid') : 'is invalid'),
      },
    },
    options,
  );
  return (target, property) => {
    validateIf(target, property);
    validate(target, property);
  };
}
