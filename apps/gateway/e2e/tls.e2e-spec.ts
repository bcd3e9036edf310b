import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect, type SecureVersion } from 'node:tls';
import { ConfigError } from '@runnerly/security';
import { DevelopmentCa, type IssuedCertificate } from '@runnerly/testing';
import { GatewayTestApp } from './support/gateway-test-app';

/**
 * The gateway serving HTTPS from TLS_CERT and TLS_KEY, as main.ts builds it, on a real port: what a client with
 * each TLS version and suite gets, and what the configuration refuses before a port opens.
 */
// Making keys and certificates (and loading the library that makes them) took over jest's 5 s default for a hook
// on a CI machine busy with two compose stacks.
jest.setTimeout(30_000);

let ca: DevelopmentCa;
let localhost: IssuedCertificate;

beforeAll(async () => {
  ca = await DevelopmentCa.create('Runnerly test CA');
  localhost = await ca.issue({ name: 'localhost', altNames: ['127.0.0.1'], usage: 'server' });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  protocol: string | null;
  cipher: string;
}

/** GET over HTTPS, trusting the test CA only. */
function get(url: string, path: string, tls: RequestOptions = {}): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      { hostname, port, path, ca: ca.cert, servername: 'localhost', agent: false, ...tls },
      (response) => {
        const socket = response.socket as import('node:tls').TLSSocket;
        response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            protocol: socket.getProtocol(),
            cipher: socket.getCipher().name,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** A bare TLS handshake with these limits: the negotiated version, or the error. */
function handshake(url: string, options: { maxVersion?: SecureVersion; ciphers?: string }): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: hostname, port: Number(port), ca: ca.cert, servername: 'localhost', ...options },
      () => {
        resolve(socket.getProtocol() ?? 'none');
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

describe('the gateway with TLS_CERT and TLS_KEY', () => {
  let gateway: GatewayTestApp;
  let httpsUrl: string;

  beforeAll(async () => {
    gateway = await GatewayTestApp.start({ TLS_CERT: localhost.cert, TLS_KEY: localhost.key });
    httpsUrl = gateway.url.replace(/^http:/, 'https:');
  });
  afterAll(() => gateway?.close());

  it('serves HTTPS over TLS 1.3, with HSTS on the answer', async () => {
    expect(gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const answer = await get(httpsUrl, '/health/live');

    expect(answer).toMatchObject({ status: 200, protocol: 'TLSv1.3' });
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('refuses a client that speaks TLS 1.2 at most', async () => {
    await expect(handshake(httpsUrl, { maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version/i);
  });

  it('answers no plaintext HTTP request on its port', async () => {
    const { hostname, port } = new URL(httpsUrl);
    const plaintext = new Promise<number>((resolve, reject) => {
      const request = httpRequest({ hostname, port, path: '/health/live', agent: false }, (response) =>
        resolve(response.statusCode!),
      );
      request.on('error', reject);
      request.end();
    });

    await expect(plaintext).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('is not trusted by a client that does not trust its CA', async () => {
    const stranger = await DevelopmentCa.create('Someone else');

    await expect(get(httpsUrl, '/health/live', { ca: stranger.cert })).rejects.toThrow(
      /self-signed|unable to verify|local issuer/i,
    );
  });
});

describe('the gateway with TLS_MIN_VERSION=TLSv1.2', () => {
  let gateway: GatewayTestApp;
  let httpsUrl: string;

  beforeAll(async () => {
    // An RSA certificate: the only kind with which a client could also ask for RSA key exchange.
    const rsa = await ca.issue({
      name: 'localhost',
      altNames: ['127.0.0.1'],
      usage: 'server',
      keyType: 'rsa',
    });
    gateway = await GatewayTestApp.start({
      TLS_CERT: rsa.cert,
      TLS_KEY: rsa.key,
      TLS_MIN_VERSION: 'TLSv1.2',
    });
    httpsUrl = gateway.url.replace(/^http:/, 'https:');
  });
  afterAll(() => gateway?.close());

  it('lets a TLS 1.2 client in with a suite that has forward secrecy and authenticated encryption', async () => {
    const answer = await get(httpsUrl, '/health/live', { maxVersion: 'TLSv1.2' });

    expect(answer).toMatchObject({
      status: 200,
      protocol: 'TLSv1.2',
      cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
    });
  });

  it.each([
    ['CBC with SHA-1 (padding oracles)', 'ECDHE-RSA-AES128-SHA'],
    ['CBC with SHA-256', 'ECDHE-RSA-AES128-SHA256'],
    ['static RSA key exchange (no forward secrecy)', 'AES128-GCM-SHA256'],
  ])('refuses a TLS 1.2 client offering only %s', async (_kind, cipher) => {
    await expect(handshake(httpsUrl, { maxVersion: 'TLSv1.2', ciphers: cipher })).rejects.toThrow(
      /handshake failure|no shared cipher|wrong version|alert/i,
    );
  });

  it('still prefers TLS 1.3 with a client that has it', async () => {
    expect((await get(httpsUrl, '/health/live')).protocol).toBe('TLSv1.3');
  });
});

describe('the gateway refuses to start', () => {
  it.each<[string, () => Record<string, string>, string]>([
    ['with a key and no certificate', () => ({ TLS_KEY: localhost.key }), 'TLS_CERT and TLS_KEY go together'],
    [
      'with a certificate and no key',
      () => ({ TLS_CERT: localhost.cert }),
      'TLS_CERT and TLS_KEY go together',
    ],
    [
      'with the key of another certificate',
      () => ({ TLS_CERT: localhost.cert, TLS_KEY: otherKey }),
      "TLS_KEY is not the key of TLS_CERT's certificate",
    ],
    [
      'with an expired certificate',
      () => ({ TLS_CERT: expired.cert, TLS_KEY: expired.key }),
      'TLS_CERT expired on',
    ],
    [
      'with a certificate that is not PEM',
      () => ({ TLS_CERT: 'not a certificate', TLS_KEY: localhost.key }),
      'TLS_CERT is not a PEM certificate',
    ],
    [
      'with TLS 1.1 allowed',
      () => ({ TLS_CERT: localhost.cert, TLS_KEY: localhost.key, TLS_MIN_VERSION: 'TLSv1.1' }),
      'TLS_MIN_VERSION',
    ],
  ])('%s, naming the problem and never the key', async (_case, env, problem) => {
    const started = GatewayTestApp.start(env());

    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(problem);
    await started.catch((error: Error) => expect(error.message).not.toContain('PRIVATE KEY'));
  });

  let otherKey: string;
  let expired: IssuedCertificate;
  beforeAll(async () => {
    otherKey = (await ca.issue({ name: 'localhost', usage: 'server' })).key;
    expired = await ca.issue({
      name: 'localhost',
      usage: 'server',
      notBefore: new Date(Date.now() - 100 * 24 * 60 * 60 * 1000),
      validDays: 90,
    });
  });
});
