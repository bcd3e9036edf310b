import { createPrivateKey, X509Certificate } from 'node:crypto';
import { type Server, type ServerOptions } from 'node:https';
import { type PeerCertificate, type TLSSocket } from 'node:tls';
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
  TLS_CLIENT_CA?: string;
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
    // Mutual TLS: a client without a certificate that chains to TLS_CLIENT_CA fails the handshake, before
    // it can send a single byte of HTTP.
    ...(config.TLS_CLIENT_CA === undefined
      ? {}
      : { requestCert: true, rejectUnauthorized: true, ca: config.TLS_CLIENT_CA }),
  };
}

/**
 * Closes, right after the handshake, a connection whose client certificate names none of `names` (its DNS
 * subjectAltName): the CA vouches for who a peer is, this list for which peers may call. So one service's
 * certificate, or a datastore's, opens no other service than those it has to call.
 */
export function refuseClientsNotNamed(
  server: Server,
  names: readonly string[],
  onRefused: (peer: { names: string[]; address: string | undefined }) => void,
): void {
  const allowed = new Set(names);
  server.on('secureConnection', (socket: TLSSocket) => {
    const peerNames = dnsNamesOf(socket.getPeerCertificate());
    if (peerNames.some((name) => allowed.has(name))) return;
    onRefused({ names: peerNames, address: socket.remoteAddress });
    socket.destroy();
  });
}

function dnsNamesOf(certificate: PeerCertificate): string[] {
  return (certificate.subjectaltname ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice('DNS:'.length));
}

/**
 * What is wrong with a certificate and key pair, or undefined: the two go together, the certificate (the first of
 * a chain) parses and is valid now, and the key is its key. Names the problem, never the key.
 */
export function tlsKeyPairProblem(
  cert: string | undefined,
  key: string | undefined,
  now = new Date(),
  names: { cert: string; key: string } = { cert: 'TLS_CERT', key: 'TLS_KEY' },
): string | undefined {
  if (cert === undefined || key === undefined)
    return `${names.cert} and ${names.key} go together: set both, or neither`;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    return `${names.cert} is not a PEM certificate`;
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    return `${names.key} is not a PEM private key`;
  }
  if (!certificate.checkPrivateKey(privateKey))
    return `${names.key} is not the key of ${names.cert}'s certificate`;
  if (now < new Date(certificate.validFrom))
    return `${names.cert} is not valid before ${certificate.validFrom}`;
  if (now > new Date(certificate.validTo)) return `${names.cert} expired on ${certificate.validTo}`;
  return undefined;
}

/**
 * Checks a certificate and its key (by default TLS_CERT and TLS_KEY, on the certificate's field) together when
 * either is set, so that a missing half, a wrong key or an expired certificate stops loadConfig, before the
 * service opens a port or a connection.
 */
export function IsTlsKeyPair(
  names: { cert: string; key: string } = { cert: 'TLS_CERT', key: 'TLS_KEY' },
  options?: ValidationOptions,
): PropertyDecorator {
  const problemOf = (object: object) => {
    const fields = object as Record<string, string | undefined>;
    return tlsKeyPairProblem(fields[names.cert], fields[names.key], new Date(), names);
  };
  const validateIf = ValidateIf(
    (object: Record<string, unknown>) => object[names.cert] !== undefined || object[names.key] !== undefined,
  );
  const validate = configRule('isTlsKeyPair', problemOf, options);
  return (target, property) => {
    validateIf(target, property);
    validate(target, property);
  };
}

/** TLS_CLIENT_CA: PEM certificates, and only beside TLS_CERT (client certificates are asked during a TLS handshake). */
export function IsClientCertificateAuthority(): PropertyDecorator {
  const problemOf = (config: Partial<TlsServerConfig>): string | undefined => {
    if (config.TLS_CLIENT_CA === undefined) return undefined;
    if (!config.TLS_CLIENT_CA.startsWith('-----BEGIN CERTIFICATE-----')) return 'must be PEM certificates';
    if (config.TLS_CERT === undefined)
      return 'needs TLS_CERT and TLS_KEY: client certificates are asked over HTTPS';
    return undefined;
  };
  return configRule('isClientCertificateAuthority', problemOf);
}

/** TLS_CLIENT_NAMES: DNS names, and only beside TLS_CLIENT_CA (without client certificates there is no name). */
export function AreClientNames(): PropertyDecorator {
  const problemOf = (config: { TLS_CLIENT_CA?: string; TLS_CLIENT_NAMES?: unknown }): string | undefined => {
    const names = config.TLS_CLIENT_NAMES;
    if (names === undefined) return undefined;
    if (!Array.isArray(names) || names.length === 0 || !names.every((name) => isDnsName(String(name))))
      return 'must be DNS names, comma-separated';
    if (config.TLS_CLIENT_CA === undefined) return 'needs TLS_CLIENT_CA';
    return undefined;
  };
  return configRule('areClientNames', problemOf);
}

/**
 * A rule that reads several fields of the config: valid when `problemOf` finds nothing, and then its finding is
 * the message, naming the problem and never a value.
 */
function configRule<Config extends object>(
  name: string,
  problemOf: (config: Config) => string | undefined,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (_value, args) => args !== undefined && problemOf(args.object as Config) === undefined,
        defaultMessage: (args) => (args ? (problemOf(args.object as Config) ?? 'is invalid') : 'is invalid'),
      },
    },
    options,
  );
}

/** A DNS name as it appears in a certificate: lowercase labels of letters, digits and inner hyphens. */
const isDnsName = (name: string) =>
  name.length <= 253 &&
  name
    .split('.')
    .every((label) => /^[a-z0-9-]{1,63}$/.test(label) && !label.startsWith('-') && !label.endsWith('-'));
