import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, YAML11_SCHEMA } from 'js-yaml';
import {
  calleesOf,
  DATABASE_SERVICES,
  JWKS_PATH,
  serviceNamed,
  SERVICES,
  serviceUrlVariable,
  TOKEN_ISSUER,
} from './service-manifest';

const WORKSPACE_ROOT = join(__dirname, '../../..');

interface ComposeService {
  image?: string;
  user?: string;
  profiles?: string[];
  command?: string[];
  ports?: string[];
  volumes?: string[];
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  build?: { args?: Record<string, string> };
  environment?: Record<string, string>;
  secrets?: string[];
  depends_on?: Record<string, unknown>;
  networks?: string[] | Record<string, { aliases?: string[] } | null>;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, unknown>;
}

/** docker-compose.yml as compose reads it: YAML 1.1, so anchors and `<<` merges are resolved. */
const compose = load(readFileSync(join(WORKSPACE_ROOT, 'docker-compose.yml'), 'utf8'), {
  schema: YAML11_SCHEMA,
}) as ComposeFile;

/** infra/prometheus/prometheus.yml, which the observability profile's Prometheus reads. */
const prometheusConfig = load(
  readFileSync(join(WORKSPACE_ROOT, 'infra/prometheus/prometheus.yml'), 'utf8'),
) as {
  rule_files: string[];
  scrape_configs: { static_configs: { targets: string[] }[] }[];
};

/** The compose services that run one service's image: the service itself and its replicas (users-2, ...). */
const containersOf = (name: string) =>
  Object.entries(compose.services).filter(([, service]) => service.image === compose.services[name]?.image);

/** The names a service answers to on the compose network: its own, and the aliases of its replicas. */
const hostNamesOf = (name: string) =>
  containersOf(name).flatMap(([container, { networks }]) => [
    container,
    ...(Array.isArray(networks) ? [] : Object.values(networks ?? {}).flatMap((net) => net?.aliases ?? [])),
  ]);

/**
 * docker-compose.yml cannot import the service manifest (libs/platform/src/service-manifest.ts), so this
 * checks it against the manifest: a service added to one and not the other fails here, not at `up`.
 */
describe('docker-compose.yml, against the service manifest', () => {
  it.each(SERVICES.map((service) => [service.name, service] as const))(
    'runs %s: built from its app, on its port, with its own secrets folder',
    (name, { port }) => {
      const service = compose.services[name];
      expect(service?.build?.args).toMatchObject({ SERVICE: name, PORT: String(port) });
      expect(service?.environment).toMatchObject({ PORT: String(port) });
      expect(service?.secrets).toEqual([name]);
      expect(compose.secrets).toHaveProperty(name);
    },
  );

  it.each(SERVICES.map((service) => [service.name, service] as const))(
    'gives %s the database, keys and services it needs, and nothing more',
    (name, service) => {
      const environment = compose.services[name]!.environment!;
      expect('DATABASE_URL_FILE' in environment).toBe(service.database);
      expect('JWT_PRIVATE_KEY_FILE' in environment).toBe(name === TOKEN_ISSUER);
      if (name !== TOKEN_ISSUER)
        expect(environment.JWKS_URL).toBe(
          `https://${TOKEN_ISSUER}:${serviceNamed(TOKEN_ISSUER).port}${JWKS_PATH}`,
        );
      for (const callee of calleesOf(service)) {
        const urls = environment[serviceUrlVariable(callee)]?.split(',') ?? [];
        expect(urls.length).toBeGreaterThan(0);
        for (const url of urls) {
          expect(new URL(url).protocol).toBe('https:');
          expect(hostNamesOf(callee)).toContain(new URL(url).hostname);
          expect(new URL(url).port).toBe(String(serviceNamed(callee).port));
        }
      }
    },
  );

  it.each(SERVICES.map((service) => [service.name, service] as const))(
    'has %s call other services over mutual TLS, with its own certificate and the stack CA',
    (name) => {
      expect(compose.services[name]!.environment).toMatchObject({
        INTERNAL_TLS_CA_FILE: `/run/secrets/${name}/internal_ca.pem`,
        INTERNAL_TLS_CERT_FILE: `/run/secrets/${name}/tls_cert.pem`,
        INTERNAL_TLS_KEY_FILE: `/run/secrets/${name}/tls_key.pem`,
      });
    },
  );

  it.each(
    SERVICES.filter(({ kind }) => kind === 'service').map((service) => [service.name, service] as const),
  )(
    'has %s serve HTTPS to callers with a certificate of the stack CA only, and its probes on loopback',
    (name) => {
      expect(compose.services[name]!.environment).toMatchObject({
        TLS_CERT_FILE: `/run/secrets/${name}/tls_cert.pem`,
        TLS_KEY_FILE: `/run/secrets/${name}/tls_key.pem`,
        TLS_CLIENT_CA_FILE: `/run/secrets/${name}/internal_ca.pem`,
        HEALTH_PORT: expect.any(String),
      });
    },
  );

  it('lets every caller of a service through its TLS_CLIENT_NAMES, where it names its callers', () => {
    for (const caller of SERVICES) {
      const callees = [...calleesOf(caller), ...(caller.name === TOKEN_ISSUER ? [] : [TOKEN_ISSUER])];
      for (const callee of callees) {
        const allowed = compose.services[callee]!.environment!.TLS_CLIENT_NAMES;
        if (allowed !== undefined)
          expect({ callee, allowed: allowed.split(',') }).toEqual({
            callee,
            allowed: expect.arrayContaining([caller.name]),
          });
      }
    }
  });

  it('starts the gateway after every instance of every internal service', () => {
    const waitsFor = Object.keys(compose.services.gateway!.depends_on ?? {});
    for (const upstream of SERVICES.filter(({ kind }) => kind === 'service'))
      for (const [container] of containersOf(upstream.name)) expect(waitsFor).toContain(container);
  });

  it('runs no Node service that the manifest does not list', () => {
    const built = Object.entries(compose.services).flatMap(([, { build }]) => build?.args?.SERVICE ?? []);
    expect([...new Set(built)].sort()).toEqual(SERVICES.map(({ name }) => name).sort());
  });

  it("tells the secrets generator and PostgreSQL's init script which services there are", () => {
    expect(compose.services['secrets-init']!.environment).toMatchObject({
      SERVICES: SERVICES.map(({ name }) => name).join(' '),
      DATABASE_SERVICES: DATABASE_SERVICES.join(' '),
      TOKEN_ISSUER,
    });
    expect(compose.services.postgres!.environment).toMatchObject({
      SERVICE_DATABASES: DATABASE_SERVICES.join(' '),
    });
  });
});

describe('the observability profile of docker-compose.yml', () => {
  const nodeContainers = Object.entries(compose.services).filter(([, { build }]) => build?.args?.SERVICE);
  const prometheus = compose.services.prometheus!;

  it.each(nodeContainers.map(([name]) => name))(
    'gives %s a metrics listener on the backend network, on the port Prometheus scrapes',
    (name) => {
      expect(compose.services[name]!.environment).toMatchObject({
        METRICS_HOST: '0.0.0.0',
        METRICS_PORT: '9100',
      });
    },
  );

  it('scrapes every container of every service, each by the name only it answers to, and nothing else', () => {
    const targets = prometheusConfig.scrape_configs.flatMap(({ static_configs }) =>
      static_configs.flatMap(({ targets }) => targets),
    );
    const ownNames = nodeContainers.map(([container, { networks }]) => {
      const aliases = Array.isArray(networks)
        ? []
        : Object.values(networks ?? {}).flatMap((net) => net?.aliases ?? []);
      // A replica's own name: its alias ending in -1 (users-1), or its container name when no other replica has it.
      return aliases.find((alias) => alias.endsWith('-1')) ?? container;
    });
    expect(targets.sort()).toEqual(ownNames.map((name) => `${name}:9100`).sort());
  });

  it('publishes no metrics port: only the gateway and, in the profile, Prometheus on loopback', () => {
    const published = Object.entries(compose.services).flatMap(([name, { ports }]) =>
      (ports ?? []).map((port) => [name, port]),
    );
    expect(published).toEqual([
      ['gateway', '${GATEWAY_HOST_IP:-127.0.0.1}:${GATEWAY_PORT:-3000}:3000'],
      ['prometheus', '127.0.0.1:${PROMETHEUS_PORT:-9090}:9090'],
    ]);
  });

  it('starts Prometheus in the observability profile only, hardened as the other containers, with the alerting rules', () => {
    expect(prometheus).toMatchObject({
      profiles: ['observability'],
      user: '65534:65534',
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      networks: ['backend', 'observability'],
    });
    expect(prometheus.command).toEqual(
      expect.arrayContaining([
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
      ]),
    );
    expect(prometheus.volumes).toEqual([
      './infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
      './infra/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro',
    ]);
    expect(prometheusConfig.rule_files).toEqual(['alerts.yml']);
  });
});
