import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AuditEvent, ConfigError, internalFetch, loadConfig } from '@runnerly/security';
import {
  DevelopmentCa,
  type IssuedCertificate,
  REFUSED_FOR_ITS_NAME,
  REFUSED_FOR_UNKNOWN_CA,
  REFUSED_WITHOUT_CERTIFICATE,
} from '@runnerly/testing';
import { RunsConfig } from '../src/runs.config';
import { RunsTestService } from './support/runs-test-service';

/**
 * `runs` as an internal service behind mutual TLS, as compose runs it: HTTPS from TLS_CERT, a client certificate
 * of the stack's CA required (TLS_CLIENT_CA), and only the services that call `runs` let in (TLS_CLIENT_NAMES).
 * The health probes keep a loopback-only plain port (HEALTH_PORT). On a real port, as main.ts listens.
 */
// Keys and certificates for four parties take a few seconds on a busy machine.
jest.setTimeout(30_000);

let ca: DevelopmentCa;
let otherCa: DevelopmentCa;
let runsCertificate: IssuedCertificate;
let gateway: IssuedCertificate;
let users: IssuedCertificate;
let mail: IssuedCertificate;
let impostor: IssuedCertificate;

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([DevelopmentCa.create('Stack CA'), DevelopmentCa.create('Another CA')]);
  [runsCertificate, gateway, users, mail, impostor] = await Promise.all([
    ca.issue({ name: 'runs', altNames: ['localhost', '127.0.0.1'], usage: 'server and client' }),
    ca.issue({ name: 'gateway', usage: 'client' }),
    ca.issue({ name: 'users', usage: 'server and client' }),
    ca.issue({ name: 'mail', usage: 'client' }),
    otherCa.issue({ name: 'gateway', usage: 'client' }),
  ]);
});

/** GET /health/live over HTTPS to `runs`, trusting the stack CA, with this client certificate (or none). */
function getLive(port: number, client?: IssuedCertificate): Promise<number | string> {
  return new Promise((resolve) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/health/live',
        servername: 'runs',
        ca: ca.cert,
        agent: false,
        ...(client ? { cert: client.cert, key: client.key } : {}),
      },
      (response) => {
        response.resume();
        resolve(response.statusCode!);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    request.end();
  });
}

function plainGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('runs behind mutual TLS', () => {
  let runs: RunsTestService;
  let port: number;
  const healthPort = 20_000 + Math.floor(Math.random() * 20_000);

  beforeAll(async () => {
    runs = await RunsTestService.start({
      TLS_CERT: runsCertificate.cert,
      TLS_KEY: runsCertificate.key,
      TLS_CLIENT_CA: ca.cert,
      TLS_CLIENT_NAMES: 'gateway,users',
      HEALTH_PORT: String(healthPort),
    });
    await runs.app.listen({ port: 0, host: '127.0.0.1' });
    port = (runs.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(() => runs?.close());

  it('answers a caller presenting a certificate of the stack CA with an allowed name', async () => {
    expect(await getLive(port, gateway)).toBe(200);
    expect(await getLive(port, users)).toBe(200);
  });

  it('answers the services’ own client (internalFetch) with their INTERNAL_TLS_* settings', async () => {
    const fetchAsGateway = internalFetch({
      INTERNAL_TLS_CA: ca.cert,
      INTERNAL_TLS_CERT: gateway.cert,
      INTERNAL_TLS_KEY: gateway.key,
    });
    const response = await fetchAsGateway(`https://localhost:${port}/health/ready`);
    expect(response.status).toBe(200);
  });

  it('refuses a client without a certificate, during the handshake', async () => {
    expect(await getLive(port)).toMatch(REFUSED_WITHOUT_CERTIFICATE);
  });

  it('refuses a client certificate from another CA, even for an allowed name', async () => {
    expect(await getLive(port, impostor)).toMatch(REFUSED_FOR_UNKNOWN_CA);
  });

  it('refuses a certificate of the stack CA for a name that does not call runs, and audits it', async () => {
    runs.logs.clear();
    expect(await getLive(port, mail)).toMatch(REFUSED_FOR_ITS_NAME);
    expect(runs.logs.auditEvents(AuditEvent.AccessDenied)).toEqual([
      expect.objectContaining({
        audit: expect.objectContaining({
          reason: 'client certificate for mail, not an allowed caller',
        }),
      }),
    ]);
  });

  it('answers the health probes in plain HTTP on its loopback port, and nothing else there', async () => {
    expect(await plainGet(healthPort, '/health/live')).toEqual({
      status: 200,
      body: expect.stringContaining('ok'),
    });
    expect((await plainGet(healthPort, '/health/ready')).status).toBe(200);
    expect((await plainGet(healthPort, '/runs')).status).toBe(404);
    expect((await plainGet(healthPort, '/health/live?x=1')).status).toBe(404);
  });
});

describe('the mutual TLS configuration', () => {
  it.each([
    ['a client CA without HTTPS', () => ({ TLS_CLIENT_CA: ca.cert }), 'TLS_CLIENT_CA: needs TLS_CERT'],
    [
      'client names without a client CA',
      () => ({ TLS_CERT: runsCertificate.cert, TLS_KEY: runsCertificate.key, TLS_CLIENT_NAMES: 'gateway' }),
      'TLS_CLIENT_NAMES: needs TLS_CLIENT_CA',
    ],
    [
      'a client CA that is not PEM',
      () => ({ TLS_CERT: runsCertificate.cert, TLS_KEY: runsCertificate.key, TLS_CLIENT_CA: 'ca' }),
      'TLS_CLIENT_CA: must be PEM certificates',
    ],
    [
      'a client certificate without its key',
      () => ({ INTERNAL_TLS_CERT: gateway.cert }),
      'INTERNAL_TLS_CERT: INTERNAL_TLS_CERT and INTERNAL_TLS_KEY go together',
    ],
    [
      'a client certificate with another key',
      () => ({ INTERNAL_TLS_CERT: gateway.cert, INTERNAL_TLS_KEY: mail.key }),
      "INTERNAL_TLS_KEY is not the key of INTERNAL_TLS_CERT's certificate",
    ],
  ])('stops runs at boot with %s', (_case, env, problem) => {
    // What main.ts runs first: the refusal comes before any port or connection opens.
    const load = () => loadConfig(RunsConfig, { DATABASE_URL: 'postgres://runs@127.0.0.1/runs', ...env() });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(problem);
  });
});
