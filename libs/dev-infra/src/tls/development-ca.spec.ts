import { X509Certificate } from 'node:crypto';
import { DevelopmentCa } from './development-ca';

describe('DevelopmentCa', () => {
  it('issues a certificate for the names asked, signed by itself', async () => {
    const ca = await DevelopmentCa.create();
    const issued = await ca.issue({ name: 'localhost', altNames: ['127.0.0.1'], usage: 'server' });
    const certificate = new X509Certificate(issued.cert);

    expect(certificate.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(certificate.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
  });
});

describe('DevelopmentCa.load', () => {
  it('signs again, after a restart, with the CA kept in files', async () => {
    const made = await DevelopmentCa.create();
    const loaded = await DevelopmentCa.load(made.cert, await made.privateKey());
    const issued = await loaded.issue({ name: 'localhost', usage: 'server' });

    expect(loaded.cert).toBe(made.cert);
    expect(new X509Certificate(issued.cert).verify(new X509Certificate(made.cert).publicKey)).toBe(true);
  });
});

describe('DevelopmentCa.issue options', () => {
  let ca: DevelopmentCa;
  beforeAll(async () => {
    ca = await DevelopmentCa.create();
  });

  it('names IPv6 addresses too, as the launcher asks for ::1', async () => {
    const issued = await ca.issue({ name: 'localhost', altNames: ['::1', 'fd00::7'], usage: 'server' });
    const certificate = new X509Certificate(issued.cert);
    expect(certificate.checkIP('::1')).toBe('::1');
    expect(certificate.checkIP('fd00::7')).toBe('fd00::7');
    expect(certificate.checkIP('::2')).toBeUndefined();
  });

  it.each([
    ['server', ['1.3.6.1.5.5.7.3.1']],
    ['client', ['1.3.6.1.5.5.7.3.2']],
    ['server and client', ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']],
  ] as const)('limits a certificate for %s use to that', async (usage, extendedKeyUsage) => {
    const issued = await ca.issue({ name: 'gateway', usage });
    expect(new X509Certificate(issued.cert).keyUsage).toEqual(extendedKeyUsage);
  });

  it('makes an RSA key when asked, signed by the ECDSA CA', async () => {
    const issued = await ca.issue({ name: 'localhost', usage: 'server', keyType: 'rsa' });
    const certificate = new X509Certificate(issued.cert);
    expect(certificate.publicKey.asymmetricKeyType).toBe('rsa');
    expect(certificate.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
  });

  it('refuses to load a certificate that is not a CA, or a key that is not its own', async () => {
    const leaf = await ca.issue({ name: 'localhost', usage: 'server' });
    await expect(DevelopmentCa.load(leaf.cert, leaf.key)).rejects.toThrow('Not a CA certificate');
    await expect(DevelopmentCa.load(ca.cert, leaf.key)).rejects.toThrow('Not a CA certificate');
  });
});
