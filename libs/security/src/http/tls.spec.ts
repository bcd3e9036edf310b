import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { ConfigError } from '../config/config-error';
import { BaseServiceConfig, serviceAppOptionsFrom } from '../config/base-service.config';
import { loadConfig } from '../config/load-config';
import { EventEmitter } from 'node:events';
import { type Server } from 'node:https';
import { type TLSSocket } from 'node:tls';
import { httpsServerOptions, refuseClientsNotNamed, TLS_CIPHERS, tlsKeyPairProblem } from './tls';

/**
 * A fresh self-signed certificate and its key, from the openssl command that every Debian has (ca-certificates
 * needs it): this library has no certificate maker of its own, and Node cannot make one. Made up on every run.
 */
function selfSigned(): { cert: string; key: string } {
  const command =
    'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout - -out - -subj /CN=localhost -days 1';
  const pem = execFileSync('openssl', command.split(' '), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const block = (label: string) => {
    const [begin, end] = [`-----BEGIN ${label}-----`, `-----END ${label}-----`];
    return pem.slice(pem.indexOf(begin), pem.indexOf(end) + end.length);
  };
  return { cert: block('CERTIFICATE'), key: block('PRIVATE KEY') };
}

const pair = selfSigned();
const other = selfSigned();
const validFrom = new Date(new X509Certificate(pair.cert).validFrom);
const validTo = new Date(new X509Certificate(pair.cert).validTo);

describe('tlsKeyPairProblem', () => {
  it('accepts a certificate with its own key, while it is valid', () => {
    expect(tlsKeyPairProblem(pair.cert, pair.key)).toBeUndefined();
  });

  it.each<[string, () => [string | undefined, string | undefined, Date?], string]>([
    [
      'a key without a certificate',
      () => [undefined, pair.key],
      'TLS_CERT and TLS_KEY go together: set both, or neither',
    ],
    [
      'a certificate without a key',
      () => [pair.cert, undefined],
      'TLS_CERT and TLS_KEY go together: set both, or neither',
    ],
    ['a certificate that is not PEM', () => ['certificate', pair.key], 'TLS_CERT is not a PEM certificate'],
    ['a key that is not PEM', () => [pair.cert, 'key'], 'TLS_KEY is not a PEM private key'],
    [
      'the key of another certificate',
      () => [pair.cert, other.key],
      "TLS_KEY is not the key of TLS_CERT's certificate",
    ],
    [
      'a certificate not valid yet',
      () => [pair.cert, pair.key, new Date(validFrom.getTime() - 60_000)],
      'TLS_CERT is not valid before',
    ],
    [
      'an expired certificate',
      () => [pair.cert, pair.key, new Date(validTo.getTime() + 60_000)],
      'TLS_CERT expired on',
    ],
  ])('refuses %s', (_case, args, problem) => {
    expect(tlsKeyPairProblem(...args())).toContain(problem);
  });
});

describe('TLS in BaseServiceConfig', () => {
  const load = (env: Record<string, string>) => loadConfig(BaseServiceConfig, { NODE_ENV: 'test', ...env });

  it('serves plain HTTP when neither is set, and TLS 1.3 with the fixed suites when both are', () => {
    expect(httpsServerOptions(load({}))).toBeUndefined();
    expect(httpsServerOptions(load({ TLS_CERT: pair.cert, TLS_KEY: pair.key }))).toEqual({
      cert: pair.cert,
      key: pair.key,
      minVersion: 'TLSv1.3',
      ciphers: TLS_CIPHERS,
      honorCipherOrder: true,
    });
  });

  it('lets TLS 1.2 in only when TLS_MIN_VERSION says so, and nothing older', () => {
    expect(
      httpsServerOptions(load({ TLS_CERT: pair.cert, TLS_KEY: pair.key, TLS_MIN_VERSION: 'TLSv1.2' })),
    ).toMatchObject({
      minVersion: 'TLSv1.2',
    });
    expect(() => load({ TLS_MIN_VERSION: 'TLSv1.1' })).toThrow(ConfigError);
  });

  it('offers no TLS 1.2 suite without forward secrecy or authenticated encryption', () => {
    const tls12 = TLS_CIPHERS.split(':').filter((suite) => !suite.startsWith('TLS_'));

    expect(tls12.length).toBeGreaterThan(0);
    for (const suite of tls12)
      expect(suite).toMatch(/^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
  });

  it('stops loadConfig on a key alone, naming the problem and never the key', () => {
    let error: unknown;
    try {
      load({ TLS_KEY: pair.key });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('TLS_CERT and TLS_KEY go together');
    expect((error as ConfigError).message).not.toContain('PRIVATE KEY');
  });
});

describe('mutual TLS in BaseServiceConfig', () => {
  const load = (env: Record<string, string>) => loadConfig(BaseServiceConfig, { NODE_ENV: 'test', ...env });
  const problemsOf = (env: Record<string, string>): readonly string[] => {
    try {
      load(env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };
  const https = { TLS_CERT: pair.cert, TLS_KEY: pair.key };

  it('asks every client for a certificate of TLS_CLIENT_CA, and completes no handshake without one', () => {
    expect(httpsServerOptions(load({ ...https, TLS_CLIENT_CA: other.cert }))).toMatchObject({
      requestCert: true,
      rejectUnauthorized: true,
      ca: other.cert,
    });
  });

  it('hands the client names and the probe port to createServiceApp', () => {
    const config = load({
      ...https,
      TLS_CLIENT_CA: other.cert,
      TLS_CLIENT_NAMES: 'gateway',
      HEALTH_PORT: '9000',
    });
    expect(serviceAppOptionsFrom(config, { trustIncomingRequestId: true })).toMatchObject({
      tlsClientNames: ['gateway'],
      healthPort: 9000,
    });
  });

  it('reads TLS_CLIENT_NAMES as a list of DNS names', () => {
    expect(
      load({ ...https, TLS_CLIENT_CA: other.cert, TLS_CLIENT_NAMES: 'gateway, users' }).TLS_CLIENT_NAMES,
    ).toEqual(['gateway', 'users']);
  });

  it.each([
    ['a client CA without HTTPS', { TLS_CLIENT_CA: pair.cert }, 'TLS_CLIENT_CA: needs TLS_CERT and TLS_KEY'],
    [
      'a client CA that is not PEM',
      { ...https, TLS_CLIENT_CA: 'ca' },
      'TLS_CLIENT_CA: must be PEM certificates',
    ],
    [
      'client names without a client CA',
      { ...https, TLS_CLIENT_NAMES: 'gateway' },
      'TLS_CLIENT_NAMES: needs TLS_CLIENT_CA',
    ],
    [
      'a client name that is not a DNS name',
      { ...https, TLS_CLIENT_CA: pair.cert, TLS_CLIENT_NAMES: 'gateway,*.example' },
      'TLS_CLIENT_NAMES: must be DNS names',
    ],
    [
      'a client certificate without its key',
      { INTERNAL_TLS_CERT: pair.cert },
      'INTERNAL_TLS_CERT: INTERNAL_TLS_CERT and INTERNAL_TLS_KEY go together',
    ],
    [
      'a client CA for outgoing calls that is not PEM',
      { INTERNAL_TLS_CA: 'ca' },
      'INTERNAL_TLS_CA must be PEM',
    ],
  ])('refuses %s', (_case, env, problem) => {
    expect(problemsOf(env).join('\n')).toContain(problem);
  });
});

describe('refuseClientsNotNamed', () => {
  /** A connection whose client certificate carries these subjectAltName entries. */
  const connection = (subjectAltName?: string) =>
    Object.assign(new EventEmitter(), {
      remoteAddress: '10.0.0.7',
      destroy: jest.fn(),
      getPeerCertificate: () => ({ subjectaltname: subjectAltName }),
    }) as unknown as TLSSocket & { destroy: jest.Mock };

  const serverAllowing = (names: string[]) => {
    const server = new EventEmitter() as unknown as Server;
    const refused: unknown[] = [];
    refuseClientsNotNamed(server, names, (peer) => refused.push(peer));
    return { server, refused };
  };

  it('keeps a connection whose certificate names an allowed caller', () => {
    const { server, refused } = serverAllowing(['gateway', 'users']);
    const socket = connection('DNS:users, DNS:users-1, IP Address:127.0.0.1');
    server.emit('secureConnection', socket);
    expect(socket.destroy).not.toHaveBeenCalled();
    expect(refused).toEqual([]);
  });

  it('closes one whose certificate names no allowed caller, and reports its names', () => {
    const { server, refused } = serverAllowing(['gateway']);
    const socket = connection('DNS:postgres, DNS:localhost, IP Address:127.0.0.1');
    server.emit('secureConnection', socket);
    expect(socket.destroy).toHaveBeenCalled();
    expect(refused).toEqual([{ names: ['postgres', 'localhost'], address: '10.0.0.7' }]);
  });

  it('closes one whose certificate has no DNS name at all', () => {
    const { server, refused } = serverAllowing(['gateway']);
    const socket = connection(undefined);
    server.emit('secureConnection', socket);
    expect(socket.destroy).toHaveBeenCalled();
    expect(refused).toEqual([{ names: [], address: '10.0.0.7' }]);
  });
});
