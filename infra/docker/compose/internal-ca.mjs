// The private certificate authority of the compose stack, for `secrets-init` (generate-secrets.mjs): it signs
// the certificates with which PostgreSQL and Redis serve TLS, so that every service can check it reached the
// real datastore (PostgreSQL's sslmode=verify-full) and nobody on the network reads or changes the traffic.
//
// Plain Node, no dependencies, like the script that uses it: Node can make keys and sign, but has no API that
// writes a certificate, and the stock node image has no `openssl` command. So this file writes the DER of an
// X.509 v3 certificate itself (RFC 5280), limited to what a CA and a TLS certificate need. Node's own
// X509Certificate, `openssl verify -x509_strict` and real TLS handshakes check the result in
// libs/dev-infra/src/tls/compose-internal-ca.spec.ts.
//
// Keys are ECDSA P-256 and signatures ECDSA with SHA-256: every TLS stack in the images accepts them, and a
// key takes a millisecond to make. DevelopmentCa (libs/dev-infra), the CA of `npm start` and of the tests, is
// this same code: one certificate writer for the whole project.
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { isIP } from 'node:net';

const DAY_MS = 24 * 60 * 60 * 1000;

// --- DER, the encoding of certificates: each value is a tag, its length, then its content. -----------------

function encode(tag, ...contents) {
  const content = Buffer.concat(contents);
  const length = content.length;
  let header;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else {
    const bytes = [];
    for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}

const sequence = (...items) => encode(0x30, ...items);
const set = (...items) => encode(0x31, ...items);
const octetString = (bytes) => encode(0x04, bytes);
const utf8String = (text) => encode(0x0c, Buffer.from(text, 'utf8'));
const TRUE = Buffer.from([0x01, 0x01, 0xff]);
/** [n] EXPLICIT: a context tag around a whole encoded value. */
const explicit = (n, value) => encode(0xa0 + n, value);

/** A non-negative INTEGER from its big-endian bytes: a leading 0x00 keeps a high first bit from reading as negative. */
function integer(bytes) {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const trimmed = bytes.subarray(start);
  return encode(0x02, trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function objectIdentifier(dotted) {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) groups.unshift(0x80 | (value & 0x7f));
    bytes.push(...groups);
  }
  return encode(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime after, to the second, as RFC 5280 requires. */
function time(date) {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return date.getUTCFullYear() < 2050
    ? encode(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : encode(0x18, Buffer.from(`${iso}Z`));
}

/** A BIT STRING of named bits (bit 0 is the first byte's high bit), without trailing zero bits as DER wants. */
function namedBits(...bits) {
  const bytes = Buffer.alloc(Math.floor(Math.max(...bits) / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] |= 0x80 >> (bit & 7);
  const last = bytes[bytes.length - 1];
  let unused = 0;
  while (!((last >> unused) & 1)) unused += 1;
  return encode(0x03, Buffer.from([unused]), bytes);
}

const bitString = (bytes) => encode(0x03, Buffer.from([0]), bytes);

// --- The parts of a certificate ----------------------------------------------------------------------------

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};
// keyUsage bits (RFC 5280 4.2.1.3)
const DIGITAL_SIGNATURE = 0;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;

const SIGNATURE_ALGORITHM = sequence(objectIdentifier(OID.ecdsaWithSha256));

function distinguishedName(commonName) {
  return sequence(
    set(sequence(objectIdentifier(OID.organization), utf8String('Runnerly'))),
    set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))),
  );
}

function extension(oid, value, { critical = false } = {}) {
  return sequence(objectIdentifier(oid), ...(critical ? [TRUE] : []), octetString(value));
}

/** [2] dNSName or [7] iPAddress (IMPLICIT, so the tag replaces IA5String's and OCTET STRING's). */
function generalName(name) {
  const version = isIP(name);
  if (version === 4) return encode(0x87, Buffer.from(name.split('.').map(Number)));
  if (version === 6) return encode(0x87, ipv6Bytes(name));
  return encode(0x82, Buffer.from(name, 'ascii'));
}

/** The 16 bytes of an IPv6 address (`::1`, `fd00::7`): eight groups, `::` standing for the missing ones. */
function ipv6Bytes(address) {
  const groupsOf = (part) => (part ? part.split(':') : []);
  const [head, tail] = address.split('::').map(groupsOf);
  if ([...head, ...(tail ?? [])].some((group) => group.includes('.')))
    throw new Error(`internal-ca: IPv6 with an embedded IPv4 address is not supported (${address})`);
  const groups =
    tail === undefined ? head : [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
  return Buffer.from(groups.flatMap((group) => [parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff]));
}

/** The key identifier of a public key: SHA-1 of the whole SubjectPublicKeyInfo (RFC 7093, method 4 in spirit). */
const keyIdentifier = (spki) => createHash('sha1').update(spki).digest();

function certificate({ subject, issuer, spki, issuerSpki, issuerKey, validDays, notBefore, extensions }) {
  const notAfter = new Date(notBefore.getTime() + validDays * DAY_MS);
  // 16 random bytes with the high bit cleared: positive, unpredictable, and within the 20 octets allowed.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const toBeSigned = sequence(
    explicit(0, integer(Buffer.from([2]))), // version 3
    integer(serial),
    SIGNATURE_ALGORITHM,
    distinguishedName(issuer),
    sequence(time(notBefore), time(notAfter)),
    distinguishedName(subject),
    spki,
    explicit(
      3,
      sequence(
        ...extensions,
        extension(OID.subjectKeyIdentifier, octetString(keyIdentifier(spki))),
        extension(OID.authorityKeyIdentifier, sequence(encode(0x80, keyIdentifier(issuerSpki)))),
      ),
    ),
  );
  const signature = sign('sha256', toBeSigned, issuerKey); // DER-encoded ECDSA signature
  const der = sequence(toBeSigned, SIGNATURE_ALGORITHM, bitString(signature));
  return new X509Certificate(der).toString().trim();
}

/** ECDSA P-256 by default; RSA 2048 for a server that must also offer TLS 1.2's RSA suites. */
function newKeyPair(keyType = 'ecdsa') {
  const { privateKey, publicKey } =
    keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim(),
    spki: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

// --- What secrets-init uses --------------------------------------------------------------------------------

/**
 * A new CA: its certificate (shared with every service, as the only root it trusts for internal connections)
 * and its key (kept by `secrets-init` alone, to sign the servers' certificates). It may sign end certificates
 * only (path length 0).
 */
export function createCertificateAuthority({
  name = 'Runnerly internal CA',
  validDays = 3650,
  notBefore = new Date(),
} = {}) {
  const { key, spki } = newKeyPair();
  const cert = certificate({
    subject: name,
    issuer: name,
    spki,
    issuerSpki: spki,
    issuerKey: createPrivateKey(key),
    validDays,
    notBefore,
    extensions: [
      extension(OID.basicConstraints, sequence(TRUE, integer(Buffer.from([0]))), { critical: true }),
      extension(OID.keyUsage, namedBits(DIGITAL_SIGNATURE, KEY_CERT_SIGN, CRL_SIGN), { critical: true }),
    ],
  });
  return { cert, key };
}

const EXTENDED_USAGES = {
  server: [OID.serverAuth],
  client: [OID.clientAuth],
  'server and client': [OID.serverAuth, OID.clientAuth],
};

/**
 * A certificate signed by `ca` for the DNS names and IP addresses in `names` (the first is also its common
 * name), with a new key (`keyType` 'ecdsa' or 'rsa'). `usage` 'server' serves TLS only (a datastore's); 'client'
 * authenticates a TLS client only; 'server and client' both (a service's, for mutual TLS). A server that asks for
 * client certificates refuses one made for serving only.
 */
export function issueCertificate(
  ca,
  names,
  { usage = 'server and client', keyType = 'ecdsa', validDays = 365, notBefore = new Date() } = {},
) {
  if (names.length === 0) throw new Error('internal-ca: a certificate needs at least one name');
  if (!EXTENDED_USAGES[usage]) throw new Error(`internal-ca: unknown usage ${usage}`);
  const caCert = new X509Certificate(ca.cert);
  const { key, spki } = newKeyPair(keyType);
  const cert = certificate({
    subject: names[0],
    issuer: caCert.subject
      .split('\n')
      .find((line) => line.startsWith('CN='))
      .slice(3),
    spki,
    issuerSpki: caCert.publicKey.export({ type: 'spki', format: 'der' }),
    issuerKey: createPrivateKey(ca.key),
    validDays,
    notBefore,
    extensions: [
      extension(OID.basicConstraints, sequence(), { critical: true }),
      extension(OID.keyUsage, namedBits(DIGITAL_SIGNATURE), { critical: true }),
      extension(OID.extKeyUsage, sequence(...EXTENDED_USAGES[usage].map(objectIdentifier))),
      extension(OID.subjectAltName, sequence(...names.map(generalName))),
    ],
  });
  return { cert, key };
}

/**
 * Whether an issued `{ cert, key }` (PEM) can stay: signed by `ca`, valid for exactly `names`, matching its key,
 * and with more than `renewDays` left. Otherwise `secrets-init` issues a new one: each start of the stack renews
 * the certificates that are about to expire.
 */
export function certificateIsCurrent({ cert, key }, ca, names, { renewDays = 30, now = new Date() } = {}) {
  const expected = names.map((name) => (isIP(name) ? `IP Address:${name}` : `DNS:${name}`)).join(', ');
  try {
    const parsed = new X509Certificate(cert);
    const caCert = new X509Certificate(ca.cert);
    return (
      parsed.checkIssued(caCert) &&
      parsed.verify(caCert.publicKey) &&
      parsed.checkPrivateKey(createPrivateKey(key)) &&
      parsed.subjectAltName === expected &&
      new Date(parsed.validTo).getTime() - now.getTime() > renewDays * DAY_MS
    );
  } catch {
    return false; // not PEM, or not a key: replaced like a missing one
  }
}

/** Whether the CA `{ cert, key }` (PEM) can stay: a CA certificate, self-signed, matching its key, `renewDays` left. */
export function authorityIsCurrent({ cert, key }, { renewDays = 365, now = new Date() } = {}) {
  try {
    const parsed = new X509Certificate(cert);
    return (
      parsed.ca &&
      parsed.verify(parsed.publicKey) &&
      parsed.checkPrivateKey(createPrivateKey(key)) &&
      new Date(parsed.validTo).getTime() - now.getTime() > renewDays * DAY_MS
    );
  } catch {
    return false;
  }
}
