import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { type TLSSocket } from 'node:tls';
import { DATABASE_SERVICES, SERVICE_NAMES } from '@runnerly/platform';
import {
  DevelopmentCa,
  execIn,
  REFUSED_FOR_ITS_NAME,
  REFUSED_FOR_UNKNOWN_CA,
  REFUSED_WITHOUT_CERTIFICATE,
  type StackContainer,
  stackContainers,
} from '@runnerly/testing';
import { CONTAINERS_SUITE } from './support/containers-env';

/**
 * The connections inside the compose stack: PostgreSQL and Redis accept TLS 1.3 only, with certificates from
 * the stack's private CA (made by secrets-init), and every service checks that certificate.
 */
CONTAINERS_SUITE.describe('the connections to the datastores of the compose stack', ({ project }) => {
  let containers: Map<string, StackContainer>;
  const container = (service: string): StackContainer => containers.get(service)!;
  const secret = async (service: string, file: string): Promise<string> =>
    (await execIn(container(service), ['cat', `/run/secrets/${service}/${file}`])).stdout.trim();

  /** psql inside the postgres container as the runs role, with libpq `options` such as sslmode. */
  const psqlAsRuns = async (options: string) => {
    const url = new URL(await secret('runs', 'database_url'));
    return execIn(container('postgres'), ['psql', `${options} user=runs dbname=runs`, '-tAc', 'select 1'], {
      PGPASSWORD: decodeURIComponent(url.password),
    });
  };

  beforeAll(async () => {
    containers = await stackContainers(project);
  });

  it('give every service URLs that ask for TLS with the certificate checked', async () => {
    for (const service of DATABASE_SERVICES) {
      const url = new URL(await secret(service, 'database_url'));
      expect(url.searchParams.get('sslmode')).toBe('verify-full');
      expect(url.searchParams.get('sslrootcert')).toBe(`/run/secrets/${service}/internal_ca.pem`);
    }
    for (const service of SERVICE_NAMES) {
      expect(await secret(service, 'redis_url')).toMatch(/^rediss:\/\//);
    }
  });

  it('refuse a PostgreSQL connection without TLS, before any password is sent', async () => {
    const plaintext = await psqlAsRuns('host=127.0.0.1 sslmode=disable');
    expect(plaintext.exitCode).not.toBe(0);
    expect(plaintext.stderr).toContain('pg_hba.conf rejects connection');
    expect(plaintext.stderr).toContain('no encryption');
  });

  it('refuse a PostgreSQL client that offers TLS 1.2 at most', async () => {
    const old = await psqlAsRuns('host=localhost sslmode=require ssl_max_protocol_version=TLSv1.2');
    expect(old.exitCode).not.toBe(0);
    expect(old.stderr).toMatch(/protocol version/);
  });

  it("present a PostgreSQL certificate from the stack's CA, for its names only (verify-full)", async () => {
    const ca = 'sslrootcert=/run/secrets/postgres/internal_ca.pem';
    expect(await psqlAsRuns(`host=localhost sslmode=verify-full ${ca}`)).toMatchObject({
      exitCode: 0,
      stdout: '1\n',
    });
    const address = (await execIn(container('postgres'), ['hostname', '-i'])).stdout.trim().split(' ')[0]!;
    const byAddress = await psqlAsRuns(`host=${address} sslmode=verify-full ${ca}`);
    expect(byAddress.exitCode).not.toBe(0);
    expect(byAddress.stderr).toContain('does not match host name');
  });

  it('see every service connected to PostgreSQL over TLS 1.3', async () => {
    // As the superuser over the container's unix socket (pg_hba.conf: local, peer), the one plaintext way in.
    const sessions = await execIn(container('postgres'), [
      'psql',
      '--username=postgres',
      '--dbname=postgres',
      '-tAc',
      `select distinct a.usename || ' ' || s.ssl || ' ' || coalesce(s.version, '-')
         from pg_stat_activity a join pg_stat_ssl s using (pid)
        where a.client_addr is not null order by 1`,
    ]);
    expect(sessions.stdout.trim().split('\n')).toEqual(
      [...DATABASE_SERVICES].sort().map((service) => `${service} true TLSv1.3`),
    );
  });

  it('refuse a plaintext Redis client, and answer one over TLS that trusts the stack CA', async () => {
    const plaintext = await execIn(container('redis'), ['redis-cli', 'PING']);
    expect(`${plaintext.stdout}${plaintext.stderr}`).toMatch(/Connection reset|I\/O error|Error/);
    expect(`${plaintext.stdout}${plaintext.stderr}`).not.toContain('PONG');
    const overTls = await execIn(container('redis'), [
      'redis-cli',
      '--tls',
      '--cacert',
      '/run/secrets/redis/internal_ca.pem',
      'PING',
    ]);
    expect(overTls.stdout.trim()).toBe('PONG');
  });

  it('refuse a Redis TLS client that does not trust the stack CA', async () => {
    const otherCa = (await DevelopmentCa.create('Another CA')).cert;
    const untrusting = await execIn(
      container('redis'),
      [
        'sh',
        '-c',
        // The root filesystem is read-only: the CA file comes through a pipe.
        'printf "%s" "$OTHER_CA" | redis-cli --tls --cacert /dev/stdin PING',
      ],
      { OTHER_CA: otherCa },
    );
    expect(`${untrusting.stdout}${untrusting.stderr}`).toMatch(/certificate verify failed|SSL/);
    expect(untrusting.stdout).not.toContain('PONG');
  });
});

/**
 * A GET from inside `from`'s container with Node's https client, as the services call each other: trusting the
 * stack CA, with the client certificate named by CLIENT (`own`: the container's own, `none`, or PEM in CLIENT_CERT
 * and CLIENT_KEY). Prints the status, or the error's code.
 */
const INTERNAL_GET = `
const { readFileSync } = require('node:fs');
const own = (file) => readFileSync('/run/secrets/' + process.env.SELF + '/' + file, 'utf8');
const client = process.env.CLIENT === 'own' ? { cert: own('tls_cert.pem'), key: own('tls_key.pem') }
  : process.env.CLIENT === 'pem' ? { cert: process.env.CLIENT_CERT, key: process.env.CLIENT_KEY } : {};
require('node:https')
  .get(process.env.URL, { ca: own('internal_ca.pem'), ...client, agent: false }, (response) => {
    console.log(response.statusCode);
    response.resume();
  })
  .on('error', (error) => console.log(error.code || error.message));
`;

CONTAINERS_SUITE.describe('the connections between the services of the compose stack', ({ project }) => {
  let containers: Map<string, StackContainer>;

  beforeAll(async () => {
    containers = await stackContainers(project);
  });

  const get = async (from: string, url: string, client: Record<string, string>) =>
    (
      await execIn(containers.get(from)!, ['node', '-e', INTERNAL_GET], { SELF: from, URL: url, ...client })
    ).stdout.trim();

  it.each(['https://users-1:3001/health/live', 'https://runs-2:3002/health/live'])(
    'answer the gateway over mutual TLS at %s',
    async (url) => {
      expect(await get('gateway', url, { CLIENT: 'own' })).toBe('200');
    },
  );

  it('refuse a client without a certificate, and one whose certificate another CA signed', async () => {
    const otherCa = await DevelopmentCa.create('Another CA');
    const forged = await otherCa.issue({ name: 'gateway', usage: 'client' });
    for (const url of ['https://users-1:3001/health/live', 'https://runs-1:3002/health/live']) {
      expect(await get('gateway', url, { CLIENT: 'none' })).toMatch(REFUSED_WITHOUT_CERTIFICATE);
      expect(
        await get('gateway', url, { CLIENT: 'pem', CLIENT_CERT: forged.cert, CLIENT_KEY: forged.key }),
      ).toMatch(REFUSED_FOR_UNKNOWN_CA);
    }
  });

  it('let into runs only the services that call it: a certificate of the stack named runs is refused', async () => {
    expect(await get('users', 'https://runs-1:3002/health/live', { CLIENT: 'own' })).toBe('200');
    expect(await get('runs', 'https://runs-2:3002/health/live', { CLIENT: 'own' })).toMatch(
      REFUSED_FOR_ITS_NAME,
    );
  });

  it('answer no plaintext HTTP on a service port', async () => {
    const plaintext = await execIn(containers.get('gateway')!, [
      'node',
      '-e',
      "fetch('http://users-1:3001/health/live').then((r) => console.log(r.status), (e) => console.log(e.cause?.code ?? e.message))",
    ]);
    // The TLS server reads the request as a broken handshake and closes the connection.
    expect(plaintext.stdout.trim()).toBe('UND_ERR_SOCKET');
  });
});

CONTAINERS_SUITE.describe(
  'the published port of the compose stack, with docker-compose.https.yml',
  ({ gatewayUrl, gatewayCa }) => {
    /** GET /health/live on the published port: the TLS version and HSTS header, or the error's code. */
    const get = (url: string, ca?: string) =>
      new Promise<{ status: number; protocol: string | null; hsts: unknown } | string>((resolve) => {
        const send = url.startsWith('https:') ? httpsGet : httpGet;
        send(`${url}/health/live`, { ca, agent: false }, (response) => {
          response.resume();
          const socket = response.socket as TLSSocket;
          resolve({
            status: response.statusCode!,
            protocol: typeof socket.getProtocol === 'function' ? socket.getProtocol() : null,
            hsts: response.headers['strict-transport-security'],
          });
        }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });

    it('serves HTTPS over TLS 1.3 with a certificate of the stack CA, and HSTS', async () => {
      expect(gatewayUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(await get(gatewayUrl, gatewayCa)).toEqual({
        status: 200,
        protocol: 'TLSv1.3',
        hsts: 'max-age=31536000; includeSubDomains',
      });
    });

    it('is refused by a client that does not trust the stack CA, and answers no plaintext', async () => {
      expect(await get(gatewayUrl)).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/);
      expect(await get(gatewayUrl.replace(/^https:/, 'http:'))).toMatch(/ECONNRESET|socket hang up|HPE_/);
    });
  },
);
