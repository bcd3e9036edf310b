import { DATABASE_SERVICES, SERVICE_NAMES } from '@runnerly/platform';
import { DevelopmentCa, execIn, type StackContainer, stackContainers } from '@runnerly/testing';
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
