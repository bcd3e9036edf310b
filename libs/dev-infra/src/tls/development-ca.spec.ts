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
