import { createPublicKey, type KeyObject, sign } from 'node:crypto';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A self-signed X.509 certificate (DER) for an RSA key, such as an attacker makes in a minute to put in
 * an `x5c` header or behind an `x5u` URL. Written out in DER by hand, since Node parses certificates but
 * does not make them.
 */
export function selfSignedCertificate(privateKey: KeyObject, commonName = 'attacker.example'): Buffer {
  const algorithm = sequence(objectId(SHA256_WITH_RSA), tlv(0x05));
  const name = sequence(tlv(0x31, sequence(objectId(COMMON_NAME), tlv(0x0c, Buffer.from(commonName)))));
  const now = Date.now();
  const tbsCertificate = sequence(
    tlv(0xa0, integer(2)),
    integer(1),
    algorithm,
    name,
    sequence(utcTime(new Date(now - DAY_MS)), utcTime(new Date(now + DAY_MS))),
    name,
    createPublicKey(privateKey).export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbsCertificate, privateKey);
  return sequence(tbsCertificate, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const content = Buffer.concat(contents);
  const length =
    content.length < 0x80
      ? Buffer.from([content.length])
      : Buffer.from([0x82, content.length >> 8, content.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function sequence(...contents: Buffer[]): Buffer {
  return tlv(0x30, ...contents);
}

function integer(value: number): Buffer {
  return tlv(0x02, Buffer.from([value]));
}

function objectId(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const base128 = (value: number): number[] => {
    const bytes = [value & 0x7f];
    for (let next = value >> 7; next > 0; next >>= 7) bytes.unshift((next & 0x7f) | 0x80);
    return bytes;
  };
  return tlv(0x06, Buffer.from([first! * 40 + second!, ...rest.flatMap(base128)]));
}

function utcTime(date: Date): Buffer {
  return tlv(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));
}
