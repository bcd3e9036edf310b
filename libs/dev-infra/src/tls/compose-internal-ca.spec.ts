import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { WORKSPACE_ROOT } from '../build/ensure-built';

/** The certificate authority that `secrets-init` runs in the compose stack: plain Node, with DER written by hand. */
interface InternalCa {
  createCertificateAuthority(options?: { name?: string; validDays?: number; notBefore?: Date }): Pem;
  issueCertificate(
    ca: Pem,
    names: string[],
    options?: { usage?: 'server' | 'server and client'; validDays?: number; notBefore?: Date },
  ): Pem;
  certificateIsCurrent(
    issued: Pem,
    ca: Pem,
    names: string[],
    options?: { renewDays?: number; now?: Date },
  ): boolean;
  authorityIsCurrent(ca: Pem, options?: { renewDays?: number; now?: Date }): boolean;
}
interface Pem {
  cert: string;
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
let internalCa: InternalCa;
let ca: Pem;
let work: string;

/** `openssl verify` as strict as it gets: a wrongly encoded certificate fails here before any TLS stack sees it. */
function opensslVerify(cert: string, purpose: 'sslserver' | 'sslclient', trusted = ca.cert): string {
  writeFileSync(join(work, 'ca.pem'), trusted);
  writeFileSync(join(work, 'cert.pem'), cert);
  try {
    return execFileSync(
      'openssl',
      [
        'verify',
        '-x509_strict',
        '-purpose',
        purpose,
        '-CAfile',
        join(work, 'ca.pem'),
        join(work, 'cert.pem'),
      ],
      { encoding: 'utf8', stdio: 'pipe' },
    ).trim();
  } catch (error) {
    return String((error as { stdout?: string; stderr?: string }).stderr ?? error);
  }
}

beforeAll(async () => {
  // eslint-disable-next-line no-unsanitized/method -- a fixed file of the workspace, no input reaches the path
  internalCa = (await import(join(WORKSPACE_ROOT, 'infra/docker/compose/internal-ca.mjs'))) as InternalCa;
  ca = internalCa.createCertificateAuthority();
  work = mkdtempSync(join(tmpdir(), 'internal-ca-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the compose stack’s internal CA', () => {
  it('is a CA certificate, self-signed, that may sign end certificates only', () => {
    const cert = new X509Certificate(ca.cert);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe('O=Runnerly\nCN=Runnerly internal CA');
    expect(opensslVerify(ca.cert, 'sslserver')).toMatch(/: OK$/);
    expect(
      execFileSync('openssl', ['x509', '-noout', '-ext', 'basicConstraints,keyUsage'], {
        input: ca.cert,
      }).toString(),
    ).toMatch(
      /critical\n\s+CA:TRUE, pathlen:0\n.*critical\n\s+Digital Signature, Certificate Sign, CRL Sign/s,
    );
  });

  it('issues certificates that OpenSSL accepts, strictly, to serve TLS and to authenticate a client', () => {
    const { cert } = internalCa.issueCertificate(ca, ['postgres', 'localhost', '127.0.0.1']);
    expect(opensslVerify(cert, 'sslserver')).toMatch(/: OK$/);
    expect(opensslVerify(cert, 'sslclient')).toMatch(/: OK$/);
    const parsed = new X509Certificate(cert);
    expect(parsed.subjectAltName).toBe('DNS:postgres, DNS:localhost, IP Address:127.0.0.1');
    expect(parsed.checkHost('postgres')).toBe('postgres');
    expect(parsed.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(parsed.checkHost('redis')).toBeUndefined();
    expect(parsed.ca).toBe(false);
  });

  it('issues a datastore a certificate that serves TLS and cannot authenticate a client', () => {
    const { cert } = internalCa.issueCertificate(ca, ['postgres'], { usage: 'server' });
    expect(opensslVerify(cert, 'sslserver')).toMatch(/: OK$/);
    expect(opensslVerify(cert, 'sslclient')).toMatch(/unsuitable certificate purpose/);
  });

  it('issues certificates that another CA’s trust store refuses', () => {
    const other = internalCa.createCertificateAuthority({ name: 'Another CA' });
    const { cert } = internalCa.issueCertificate(ca, ['postgres']);
    expect(opensslVerify(cert, 'sslserver', other.cert)).toMatch(/unable to get local issuer certificate/);
  });

  it('serves TLS 1.3 that a client trusting the CA accepts for the certificate’s name, and no other', async () => {
    const issued = internalCa.issueCertificate(ca, ['redis', 'localhost', '127.0.0.1']);
    const server: Server = createServer({ ...issued, minVersion: 'TLSv1.3' }, (_request, response) =>
      response.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const handshake = (servername: string, trusted: string) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, servername, ca: trusted }, () => {
          resolve(`${socket.getProtocol()}`);
          socket.end();
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    try {
      expect(await handshake('redis', ca.cert)).toBe('TLSv1.3');
      expect(await handshake('postgres', ca.cert)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(await handshake('redis', internalCa.createCertificateAuthority().cert)).toBe(
        'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      );
    } finally {
      server.close();
    }
  });

  it('writes validity dates past 2049 as GeneralizedTime, as RFC 5280 requires', () => {
    const { cert } = internalCa.issueCertificate(ca, ['postgres'], { validDays: 30 * 365 });
    expect(opensslVerify(cert, 'sslserver')).toMatch(/: OK$/);
    expect(new Date(new X509Certificate(cert).validTo).getUTCFullYear()).toBeGreaterThan(2050);
  });
});

describe('renewal (each start of secrets-init)', () => {
  const names = ['postgres', 'localhost', '127.0.0.1'];

  it('keeps a certificate of the CA, for the same names, with its key and more than 30 days left', () => {
    expect(internalCa.certificateIsCurrent(internalCa.issueCertificate(ca, names), ca, names)).toBe(true);
  });

  it.each([
    ['close to its end', () => internalCa.issueCertificate(ca, names, { validDays: 29 }), names],
    ['for other names', () => internalCa.issueCertificate(ca, ['postgres']), names],
    [
      'from another CA',
      () => internalCa.issueCertificate(internalCa.createCertificateAuthority(), names),
      names,
    ],
    [
      'beside another key',
      () => ({ ...internalCa.issueCertificate(ca, names), key: internalCa.issueCertificate(ca, names).key }),
      names,
    ],
    ['that is not PEM', () => ({ cert: 'garbage', key: 'garbage' }), names],
  ])('replaces a certificate %s', (_case, make, wanted) => {
    expect(internalCa.certificateIsCurrent(make(), ca, wanted)).toBe(false);
  });

  it('keeps the CA with more than a year left, and replaces it after', () => {
    expect(internalCa.authorityIsCurrent(ca)).toBe(true);
    expect(internalCa.authorityIsCurrent(ca, { now: new Date(Date.now() + 9.5 * 365 * DAY_MS) })).toBe(false);
    expect(
      internalCa.authorityIsCurrent({ cert: ca.cert, key: internalCa.createCertificateAuthority().key }),
    ).toBe(false);
    expect(internalCa.authorityIsCurrent(internalCa.issueCertificate(ca, names))).toBe(false);
  });
});
