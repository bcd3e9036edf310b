import { DATABASE_SERVICES, type ServiceName, SERVICES, TOKEN_ISSUER } from '@runnerly/platform';
import {
  CONTAINERS_SUITE,
  LONG_RUNNING_SERVICES,
  NODE_SERVICES,
  SECRET_HOLDERS,
  type SecretHolder,
} from './support/containers-env';
import {
  containerLog,
  execIn,
  publicMetadata,
  type StackContainer,
  stackContainers,
} from '@runnerly/testing';

/**
 * The files each consumer finds in /run/secrets/<consumer>/ (written by the `secrets-init` service): everyone
 * the stack CA's certificate and a TLS certificate and key of its own; for each service of the manifest, its
 * Redis URL, its database URL and backup key if it owns a database, the signing key if it issues tokens; for
 * PostgreSQL, its superuser password and the verifier of each service role; for Redis, its configuration.
 */
const TLS_FILES = ['tls_cert.pem', 'tls_key.pem'];
const SECRET_FILES: Record<SecretHolder, string[]> = {
  postgres: [
    'internal_ca.pem',
    'superuser_password',
    ...DATABASE_SERVICES.map((service) => `${service}_password.scram`),
    ...TLS_FILES,
  ],
  redis: ['internal_ca.pem', 'redis.conf', ...TLS_FILES],
  ...(Object.fromEntries(
    SERVICES.map((service) => [
      service.name,
      [
        'internal_ca.pem',
        ...(service.database ? ['database_url', 'backup_key'] : []),
        'redis_url',
        ...(service.name === TOKEN_ISSUER ? ['jwt_private_key.pem', 'encryption_keys'] : []),
        ...TLS_FILES,
      ],
    ]),
  ) as Record<ServiceName, string[]>),
};
/** Files in those folders that are public: a CA certificate. */
const PUBLIC_FILES = new Set(['internal_ca.pem', 'tls_cert.pem']);
/** Redis speaks TLS only, with a certificate from the stack's CA. */
const REDIS_CLI = ['redis-cli', '--tls', '--cacert', '/run/secrets/redis/internal_ca.pem'];
/** Variable names that would hold a secret if they were given as values instead of files. */
const SECRET_LOOKING_NAME =
  /PASSWORD|SECRET|PRIVATE_KEY|ENCRYPTION_KEYS|TOKEN|DATABASE_URL|REDIS_URL|OAUTH_CLIENTS/;

CONTAINERS_SUITE.describe('the secrets of the compose stack', ({ project }) => {
  let containers: Map<string, StackContainer>;
  /** Every secret value of this stack, read inside the containers that own them. */
  const secrets: string[] = [];
  /** The plain passwords of the services' database roles and Redis users. */
  const servicePasswords: string[] = [];
  const container = (service: string): StackContainer => containers.get(service)!;
  const read = async (service: string, file: string): Promise<string> => {
    const result = await execIn(container(service), ['cat', `/run/secrets/${service}/${file}`]);
    if (result.exitCode !== 0) throw new Error(`${service} cannot read its ${file}: ${result.stderr}`);
    return result.stdout.trim();
  };

  beforeAll(async () => {
    containers = await stackContainers(project);
    for (const service of NODE_SERVICES) {
      for (const file of SECRET_FILES[service].filter((name) => !PUBLIC_FILES.has(name))) {
        const value = await read(service, file);
        if (file.endsWith('_url')) {
          servicePasswords.push(decodeURIComponent(new URL(value).password));
          secrets.push(value);
        } else {
          // A PEM key: any line of its body would be a leak.
          secrets.push(...value.split('\n').filter((line) => !line.startsWith('-----') && line.length >= 16));
        }
      }
    }
    secrets.push(...servicePasswords, await read('postgres', 'superuser_password'));
    for (const datastore of ['postgres', 'redis']) {
      const key = await read(datastore, 'tls_key.pem');
      secrets.push(...key.split('\n').filter((line) => !line.startsWith('-----') && line.length >= 16));
    }
    for (const file of ['users_password.scram', 'runs_password.scram'])
      secrets.push(await read('postgres', file));
    secrets.push(
      ...[...(await read('redis', 'redis.conf')).matchAll(/#([0-9a-f]{64})/g)].map((match) => match[1]!),
    );
  });

  it('found the secrets it looks for', () => {
    expect(servicePasswords).toHaveLength(5);
    expect(secrets.length).toBeGreaterThan(15);
    for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(16);
  });

  it.each(LONG_RUNNING_SERVICES)('reach %s as files (NAME_FILE), never as environment values', (service) => {
    const env = (container(service).inspect.Config.Env ?? []).map(
      (entry) => entry.split('=', 2) as [string, string],
    );
    for (const [name, value] of env) {
      if (SECRET_LOOKING_NAME.test(name)) {
        expect({ name, value }).toEqual({
          name: expect.stringMatching(/_FILE$/),
          value: expect.stringMatching(/^\/run\/secrets\//),
        });
      }
      for (const secret of secrets) expect(value).not.toContain(secret);
    }
  });

  it.each([...LONG_RUNNING_SERVICES, 'secrets-init'])(
    'appear nowhere in `docker inspect` or `docker history` of %s and its image',
    async (service) => {
      const metadata = await publicMetadata(container(service));
      for (const secret of secrets) expect(metadata).not.toContain(secret);
      expect(metadata).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    },
  );

  it.each([...LONG_RUNNING_SERVICES, 'secrets-init'])('appear nowhere in the log of %s', async (service) => {
    const log = await containerLog(container(service));
    expect(log.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(log).not.toContain(secret);
  });

  it.each(SECRET_HOLDERS)(
    'are mounted read-only into %s: its own folder only, each file 0600 and owned by its user',
    async (service) => {
      const mounts = (container(service).inspect.Mounts ?? []).filter((mount) =>
        mount.Destination.startsWith('/run/secrets'),
      );
      expect(mounts.map(({ Destination, RW }) => ({ Destination, RW }))).toEqual([
        { Destination: `/run/secrets/${service}`, RW: false },
      ]);
      const uid = (await execIn(container(service), ['id', '-u'])).stdout.trim();
      const listing = await execIn(container(service), [
        'stat',
        '-c',
        '%n %a %u',
        ...SECRET_FILES[service].map((file) => `/run/secrets/${service}/${file}`),
      ]);
      expect(listing.stdout.trim().split('\n')).toEqual(
        SECRET_FILES[service].map((file) => `/run/secrets/${service}/${file} 600 ${uid}`),
      );
      expect((await execIn(container(service), ['ls', '/run/secrets'])).stdout.trim()).toBe(service);
      const overwrite = await execIn(container(service), [
        'sh',
        '-c',
        `echo x > /run/secrets/${service}/planted`,
      ]);
      expect(overwrite.exitCode).not.toBe(0);
    },
  );

  it('leave the datastores verifiers and hashes only, never a service password', async () => {
    const scram = await read('postgres', 'users_password.scram');
    expect(scram).toMatch(/^SCRAM-SHA-256\$4096:/);
    const acl = await read('redis', 'redis.conf');
    expect(acl).toMatch(/^user users on #[0-9a-f]{64} /m);
    for (const [service, files] of [
      ['postgres', SECRET_FILES.postgres],
      ['redis', SECRET_FILES.redis],
    ] as const) {
      for (const file of files) {
        const content = await read(service, file);
        for (const password of servicePasswords) expect(content).not.toContain(password);
      }
    }
  });

  it("give each service a database role that cannot even connect to the other service's database", async () => {
    const runsUrl = new URL(await read('runs', 'database_url'));
    const connect = (database: string) =>
      execIn(
        container('postgres'),
        [
          'psql',
          '--host=127.0.0.1',
          `--username=${runsUrl.username}`,
          `--dbname=${database}`,
          '-tAc',
          'select current_user',
        ],
        { PGPASSWORD: decodeURIComponent(runsUrl.password) },
      );
    expect((await connect('runs')).stdout.trim()).toBe('runs');
    const intrusion = await connect('users');
    expect(intrusion.exitCode).not.toBe(0);
    expect(intrusion.stderr).toMatch(
      /permission denied for database "users"|does not have CONNECT privilege/,
    );
  });

  it('give each service a Redis user that reaches its own rate-limit counters and nothing else', async () => {
    const gatewayUrl = new URL(await read('gateway', 'redis_url'));
    const redis = (...command: string[]) =>
      execIn(
        container('redis'),
        [...REDIS_CLI, '--user', gatewayUrl.username, '--no-auth-warning', ...command],
        {
          REDISCLI_AUTH: decodeURIComponent(gatewayUrl.password),
        },
      );
    expect((await redis('GET', 'runnerly:gateway:throttle:probe')).stdout).not.toMatch(/NOPERM|WRONGPASS/);
    expect((await redis('GET', 'runnerly:users:throttle:probe')).stdout).toMatch(/NOPERM/);
    // Revoked sessions: users writes them, every other service may only read them.
    expect((await redis('EXISTS', 'runnerly:revoked-session:probe')).stdout).not.toMatch(/NOPERM/);
    expect((await redis('SET', 'runnerly:revoked-session:probe', '1')).stdout).toMatch(/NOPERM/);
    expect((await redis('FLUSHALL')).stdout).toMatch(/NOPERM/);
    expect((await redis('CONFIG', 'GET', 'requirepass')).stdout).toMatch(/NOPERM/);
    // Without a password, the healthcheck's PING is all there is.
    expect((await execIn(container('redis'), [...REDIS_CLI, 'GET', 'runnerly:gateway:x'])).stdout).toMatch(
      /NOPERM/,
    );
  });
});
