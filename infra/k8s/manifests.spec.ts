import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_SERVICES, SERVICE_NAMES } from '@runnerly/platform';
import { everythingRequired } from '@runnerly/security/testing';
import { loadAll } from 'js-yaml';

// The Kubernetes manifests, proved offline: no cluster runs here. Each overlay is rendered by Kustomize (Debian's
// kubectl 1.20, which .ci/run unpacks into the cache: infra/k8s/install-kubectl.sh), every object is checked
// against the Kubernetes schemas (validate-schemas.mjs), and the controls are asserted on what would be applied:
// Pod Security "restricted", the drain, Secrets as files, one migration Job per database, the disruption
// budgets and autoscalers, and the network flows, which must be exactly those of docker-compose.yml's networks.

const OVERLAYS = ['development', 'production'] as const;
const CACHE = process.env.RUNNERLY_CACHE ?? join(homedir(), '.cache/runnerly');
/** RUNNERLY_KUBECTL: another kubectl to render with; by default the one install-kubectl.sh unpacks. */
const KUBECTL = process.env.RUNNERLY_KUBECTL ?? join(CACHE, 'kubernetes-client/usr/bin/kubectl');
/** The addresses the overlays give PostgreSQL, Redis and the mail provider (placeholders: see datastores.yaml). */
const EXTERNAL = { '192.0.2.10/32': 'postgres', '192.0.2.20/32': 'redis', '192.0.2.30/32': 'smtp' };

// The flows, as "from -> to:port/protocol". Compose's: only the gateway is reachable from outside; the gateway
// calls users and runs; runs calls users (JWKS); users calls runs (the purge) and the mail server; every service
// uses Redis, users and runs PostgreSQL. Kubernetes adds DNS, Prometheus's scrape, and the migration Jobs, which
// reach PostgreSQL only.
const MIGRATIONS = DATABASE_SERVICES.map((service) => `${service}-migrate`);
const DNS = ['kube-system/kube-dns:53/TCP', 'kube-system/kube-dns:53/UDP'];
const ALLOWED_EGRESS = [
  'gateway -> users:3001/TCP',
  'gateway -> runs:3002/TCP',
  'runs -> users:3001/TCP',
  'users -> runs:3002/TCP',
  'users -> smtp:587/TCP',
  ...['users', 'runs', ...MIGRATIONS].map((pod) => `${pod} -> postgres:5432/TCP`),
  ...SERVICE_NAMES.map((pod) => `${pod} -> redis:6379/TCP`),
  ...[...SERVICE_NAMES, ...MIGRATIONS].flatMap((pod) => DNS.map((dns) => `${pod} -> ${dns}`)),
].sort();
const ALLOWED_INGRESS = [
  'anywhere -> gateway:3000/TCP',
  'gateway -> users:3001/TCP',
  'runs -> users:3001/TCP',
  'gateway -> runs:3002/TCP',
  'users -> runs:3002/TCP',
  ...SERVICE_NAMES.map((service) => `monitoring/prometheus -> ${service}:9464/TCP`),
].sort();

/** Variables that hold a secret: each must come as NAME_FILE, a file of a mounted Secret. */
const SECRET_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'JWT_PRIVATE_KEY',
  'DATA_ENCRYPTION_KEYS',
  'BACKUP_KEY',
  'SMTP_URL',
  'TLS_KEY',
  'INTERNAL_TLS_KEY',
];
/** The volume types the "restricted" Pod Security Standard allows. */
const RESTRICTED_VOLUME_TYPES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const NAME = 'app.kubernetes.io/name';

// --- the rendered objects, as far as the assertions read them ---------------------------------------------------

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: unknown };
}
interface Container {
  name: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: unknown }[];
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    seccompProfile?: { type: string };
  };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  volumeMounts?: { name: string; mountPath: string }[];
  ports?: { hostPort?: number }[];
}
interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: Container['securityContext'];
  containers: Container[];
  initContainers?: Container[];
  volumes?: ({
    name: string;
    secret?: { secretName: string; items?: { key: string; path: string }[] };
  } & Record<string, unknown>)[];
  terminationGracePeriodSeconds?: number;
}
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values: string[] }[];
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyRule {
  ports?: { protocol?: string; port?: number | string }[];
  to?: Peer[];
  from?: Peer[];
}
interface NetworkPolicySpec {
  podSelector: Selector;
  policyTypes: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

/** Debian's kubectl 1.20 (or RUNNERLY_KUBECTL), by its version line. */
function kubectlVersion(): string | undefined {
  const result = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.split('\n')[0] : undefined;
}

/** `describe` where the renderer is; skipped with a warning elsewhere, failing under RUNNERLY_REQUIRE_ALL=1 (CI). */
const describeWithRenderer: jest.Describe =
  kubectlVersion() !== undefined || everythingRequired() ? describe : skipWithWarning();

function skipWithWarning(): jest.Describe {
  process.emitWarning(
    `Kubernetes manifest tests skipped: no kubectl at ${KUBECTL} (bash infra/k8s/install-kubectl.sh)`,
  );
  return describe.skip;
}

function render(overlay: string): { yaml: string; objects: KubeObject[] } {
  const result = spawnSync(KUBECTL, ['kustomize', join(__dirname, 'overlays', overlay)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${overlay}: ${result.stderr || result.error}`);
  return { yaml: result.stdout, objects: loadAll(result.stdout) as KubeObject[] };
}

function validateSchemas(yaml: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(__dirname, 'validate-schemas.mjs')], {
    input: yaml,
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

const ofKind = (objects: KubeObject[], kind: string) => objects.filter((object) => object.kind === kind);

/** The pod templates of the Deployments and Jobs, by object name. */
function podTemplates(objects: KubeObject[]): [string, PodSpec, Record<string, string>][] {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'Job')
    .map((object) => {
      const template = object.spec!.template as {
        metadata: { labels: Record<string, string> };
        spec: PodSpec;
      };
      return [`${object.kind}/${object.metadata.name}`, template.spec, template.metadata.labels];
    });
}

// --- Pod Security "restricted" (https://kubernetes.io/docs/concepts/security/pod-security-standards/) -----------

/** What a pod breaks of the "restricted" standard, plus the read-only root filesystem compose also has. */
function restrictedViolations(pod: PodSpec): string[] {
  const violations: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) violations.push('shares a host namespace');
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (!RESTRICTED_VOLUME_TYPES.includes(type!)) violations.push(`volume ${volume.name} is ${type}`);
  }
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    const own = container.securityContext ?? {};
    const effective = { ...pod.securityContext, ...own };
    const where = `container ${container.name}`;
    if (effective.runAsNonRoot !== true) violations.push(`${where}: runAsNonRoot is not true`);
    if (effective.runAsUser === 0) violations.push(`${where}: runs as uid 0`);
    if (effective.seccompProfile?.type !== 'RuntimeDefault')
      violations.push(`${where}: seccompProfile is not RuntimeDefault`);
    if (own.allowPrivilegeEscalation !== false) violations.push(`${where}: may escalate privileges`);
    if (own.privileged === true) violations.push(`${where}: is privileged`);
    if (!own.capabilities?.drop?.includes('ALL')) violations.push(`${where}: does not drop ALL capabilities`);
    if ((own.capabilities?.add ?? []).some((capability) => capability !== 'NET_BIND_SERVICE'))
      violations.push(`${where}: adds capabilities`);
    if (own.readOnlyRootFilesystem !== true) violations.push(`${where}: root filesystem is writable`);
    if ((container.ports ?? []).some((port) => port.hostPort !== undefined))
      violations.push(`${where}: uses a host port`);
  }
  return violations;
}

// --- the network flows the policies allow -----------------------------------------------------------------------

function matches(selector: Selector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every((expression) => {
    if (expression.operator !== 'In')
      throw new Error(`selector operator ${expression.operator} not supported`);
    return expression.values.includes(labels[expression.key]!);
  });
  return byLabels && byExpressions;
}

/** Who a peer is: pods of this namespace by name, pods of another namespace, or an external address. */
function peerNames(peer: Peer, pods: Map<string, Record<string, string>>): string[] {
  if (peer.ipBlock) {
    if (peer.ipBlock.except) throw new Error('ipBlock except not supported');
    return [EXTERNAL[peer.ipBlock.cidr as keyof typeof EXTERNAL] ?? peer.ipBlock.cidr];
  }
  if (peer.namespaceSelector) {
    const namespace = peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] ?? '*';
    const labels = peer.podSelector?.matchLabels ?? {};
    return [`${namespace}/${labels[NAME] ?? labels['k8s-app'] ?? '*'}`];
  }
  return [...pods].filter(([, labels]) => matches(peer.podSelector ?? {}, labels)).map(([name]) => name);
}

function portsOf(rule: PolicyRule): string[] {
  return (rule.ports ?? [{}]).map((port) => `${port.port ?? '*'}/${port.protocol ?? 'TCP'}`);
}

/** Every (from, to, port) that the policies let through, one direction at a time. */
function allowedFlows(objects: KubeObject[]): { egress: string[]; ingress: string[] } {
  const pods = new Map(podTemplates(objects).map(([, , labels]) => [labels[NAME]!, labels] as const));
  const egress = new Set<string>();
  const ingress = new Set<string>();
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    const spec = policy.spec as unknown as NetworkPolicySpec;
    const selected = [...pods]
      .filter(([, labels]) => matches(spec.podSelector, labels))
      .map(([name]) => name);
    for (const rule of spec.egress ?? []) {
      const peers = rule.to ? rule.to.flatMap((peer) => peerNames(peer, pods)) : ['anywhere'];
      for (const from of selected)
        for (const to of peers) for (const port of portsOf(rule)) egress.add(`${from} -> ${to}:${port}`);
    }
    for (const rule of spec.ingress ?? []) {
      const peers = rule.from ? rule.from.flatMap((peer) => peerNames(peer, pods)) : ['anywhere'];
      for (const to of selected)
        for (const from of peers) for (const port of portsOf(rule)) ingress.add(`${from} -> ${to}:${port}`);
    }
  }
  return { egress: [...egress].sort(), ingress: [...ingress].sort() };
}

// --- the assertions --------------------------------------------------------------------------------------------

describeWithRenderer('the Kubernetes manifests, rendered offline', () => {
  it('are rendered by a Kustomize of kubectl', () => {
    expect(kubectlVersion()).toMatch(/^Client Version: /);
  });

  it('the schema check refuses an object that breaks the Kubernetes schema, and an unknown kind', () => {
    const broken = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: broken }',
      'spec: { selector: {}, template: { spec: { containers: [{ name: c, ports: [{ containerPort: web }] }] } } }',
      '---',
      'apiVersion: policy/v1',
      'kind: PodDisruptionBudgett',
      'metadata: { name: typo }',
    ].join('\n');
    const result = validateSchemas(broken);
    expect(result.status).toBe(1);
    expect(result.output).toContain('Deployment/broken (apps/v1): data/spec/template/spec/containers/0/');
    expect(result.output).toContain('PodDisruptionBudgett/typo (policy/v1): no schema');
  });

  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    let yaml: string;
    let objects: KubeObject[];
    beforeAll(() => ({ yaml, objects } = render(overlay)));

    it('passes the Kubernetes schemas, every object (kubernetes-models)', () => {
      expect(validateSchemas(yaml)).toEqual({
        status: 0,
        output: `${objects.length} of ${objects.length} objects valid\n`,
      });
    });

    it('puts everything in one namespace that enforces the restricted Pod Security Standard', () => {
      const [namespace, ...others] = ofKind(objects, 'Namespace');
      expect(others).toEqual([]);
      expect(namespace!.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
      });
      const outside = objects.filter(
        (object) =>
          object.kind !== 'Namespace' &&
          (object.metadata as { namespace?: string }).namespace !== namespace!.metadata.name,
      );
      expect(outside.map((object) => object.metadata.name)).toEqual([]);
    });

    it('runs every pod under the restricted Pod Security rules, with a read-only root filesystem', () => {
      const pods = podTemplates(objects);
      expect(pods.length).toBe(SERVICE_NAMES.length + DATABASE_SERVICES.length);
      expect(pods.map(([name, pod]) => [name, restrictedViolations(pod)])).toEqual(
        pods.map(([name]) => [name, []]),
      );
    });

    it('gives every container CPU and memory requests and limits', () => {
      const unbounded = podTemplates(objects).flatMap(([name, pod]) =>
        pod.containers
          .filter((container) =>
            ['requests', 'limits'].some((bound) => {
              const values = container.resources?.[bound as 'requests' | 'limits'] ?? {};
              return values.cpu === undefined || values.memory === undefined;
            }),
          )
          .map((container) => `${name}/${container.name}`),
      );
      expect(unbounded).toEqual([]);
    });

    it('probes every service live and ready, and leaves the load balancer before the drain ends', () => {
      for (const deployment of ofKind(objects, 'Deployment')) {
        const pod = (deployment.spec!.template as { spec: PodSpec }).spec;
        const [container] = pod.containers;
        const env = environmentOf(objects, container!);
        const preStop = container!.lifecycle?.preStop?.exec?.command ?? [];
        const name = deployment.metadata.name;
        expect({ name, live: !!container!.livenessProbe, ready: !!container!.readinessProbe }).toEqual({
          name,
          live: true,
          ready: true,
        });
        expect(preStop).toEqual(['sleep', expect.stringMatching(/^\d+$/)]);
        // The kubelet's grace counts from the preStop hook: the sleep, then the service's drain and its deadline.
        const needed =
          Number(preStop[1]) * 1000 + Number(env.SHUTDOWN_DRAIN_DELAY_MS) + Number(env.SHUTDOWN_TIMEOUT_MS);
        expect(Number(env.SHUTDOWN_DRAIN_DELAY_MS)).toBeGreaterThan(0);
        expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(needed);
      }
    });

    it('gives secrets as files of a mounted Secret only: no secret in an environment value', () => {
      for (const [name, pod] of podTemplates(objects)) {
        for (const container of pod.containers) {
          expect(container.envFrom?.filter((source) => source.secretRef) ?? []).toEqual([]);
          expect(container.env?.filter((variable) => variable.valueFrom?.secretKeyRef) ?? []).toEqual([]);
          const env = environmentOf(objects, container);
          expect(SECRET_VARIABLES.filter((variable) => variable in env)).toEqual([]);
          const secretMounts = (container.volumeMounts ?? [])
            .filter((mount) => pod.volumes?.find((volume) => volume.name === mount.name)?.secret)
            .map((mount) => `${mount.mountPath}/`);
          const files = Object.entries(env).filter(([variable]) => variable.endsWith('_FILE'));
          expect({
            name,
            outsideSecrets: files.filter(([, path]) => !secretMounts.some((m) => path?.startsWith(m))),
          }).toEqual({ name, outsideSecrets: [] });
        }
      }
    });

    it('migrates each database in a Job of its own, and no replica migrates at start', () => {
      const jobs = ofKind(objects, 'Job');
      expect(jobs.map((job) => job.metadata.name).sort()).toEqual([...MIGRATIONS].sort());
      // The rollout's first step (`kubectl apply -k … -l app.kubernetes.io/component!=server`) leaves them out.
      const servers = objects.filter(
        (object) => object.metadata.labels?.['app.kubernetes.io/component'] === 'server',
      );
      expect(servers.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual(
        SERVICE_NAMES.map((service) => `Deployment/${service}`).sort(),
      );
      for (const service of DATABASE_SERVICES) {
        const deployment = ofKind(objects, 'Deployment').find((object) => object.metadata.name === service)!;
        const [container] = (deployment.spec!.template as { spec: PodSpec }).spec.containers;
        expect(environmentOf(objects, container!).DATABASE_MIGRATE_ON_START).toBe('false');
      }
    });

    it.each(DATABASE_SERVICES)(
      'runs node migrate.js in the Job of %s, with the database URL and its CA only: no other secret, variable or connection',
      (service) => {
        const job = ofKind(objects, 'Job').find((object) => object.metadata.name === `${service}-migrate`)!;
        const pod = (job.spec!.template as { spec: PodSpec }).spec;
        const [container, ...others] = pod.containers;
        expect(others).toEqual([]);
        expect(container!.command).toEqual(['/usr/bin/tini', '--', 'node', 'migrate.js']);
        expect(environmentOf(objects, container!)).toEqual({
          DATABASE_URL_FILE: `/run/secrets/${service}/database_url`,
        });
        // The service's Secret holds its TLS key, backup key and Redis password too: none of them is mounted.
        expect(pod.volumes).toEqual([
          {
            name: 'database',
            secret: {
              secretName: `${service}-secrets`,
              defaultMode: 0o440,
              items: [
                { key: 'database_url', path: 'database_url' },
                { key: 'internal_ca.pem', path: 'internal_ca.pem' },
              ],
            },
          },
        ]);
        const reached = allowedFlows(objects).egress.filter((flow) => flow.startsWith(`${service}-migrate `));
        expect(reached).toEqual([
          `${service}-migrate -> kube-system/kube-dns:53/TCP`,
          `${service}-migrate -> kube-system/kube-dns:53/UDP`,
          `${service}-migrate -> postgres:5432/TCP`,
        ]);
      },
    );

    it('gives every Deployment a disruption budget, and autoscales the gateway and runs only', () => {
      const deployments = ofKind(objects, 'Deployment').map((object) => object.metadata.name);
      const budgeted = ofKind(objects, 'PodDisruptionBudget').map(
        (budget) => (budget.spec!.selector as Selector).matchLabels?.[NAME],
      );
      expect(budgeted.sort()).toEqual([...deployments].sort());
      const scaled = ofKind(objects, 'HorizontalPodAutoscaler').map(
        (autoscaler) => (autoscaler.spec!.scaleTargetRef as { kind: string; name: string }).name,
      );
      expect(scaled.sort()).toEqual(['gateway', 'runs']);
      // A replica count in the Deployment would be reset by every `kubectl apply`, fighting the autoscaler.
      const counted = ofKind(objects, 'Deployment').filter((object) => object.spec!.replicas !== undefined);
      expect(counted.map((object) => object.metadata.name)).toEqual(['users']);
    });

    it('denies every connection both ways by default', () => {
      const denyAll = ofKind(objects, 'NetworkPolicy').find(
        (policy) =>
          JSON.stringify((policy.spec as unknown as NetworkPolicySpec).podSelector) === '{}' &&
          !policy.spec!.ingress &&
          !policy.spec!.egress,
      );
      expect((denyAll?.spec as unknown as NetworkPolicySpec | undefined)?.policyTypes.sort()).toEqual([
        'Egress',
        'Ingress',
      ]);
    });

    it('allows exactly the flows of the compose networks, plus DNS, the scrape and the migration Jobs', () => {
      expect(allowedFlows(objects)).toEqual({ egress: ALLOWED_EGRESS, ingress: ALLOWED_INGRESS });
    });
  });
});

/** A container's environment as the kubelet builds it: its ConfigMaps (envFrom), then its own `env` over them. */
function environmentOf(objects: KubeObject[], container: Container): Record<string, string | undefined> {
  const fromConfigMaps = (container.envFrom ?? []).flatMap((source) => {
    const configMap = ofKind(objects, 'ConfigMap').find(
      (object) => object.metadata.name === source.configMapRef?.name,
    );
    return Object.entries(configMap?.data ?? {});
  });
  const own = (container.env ?? []).map((variable) => [variable.name, variable.value] as const);
  return Object.fromEntries([...fromConfigMaps, ...own]);
}

describe('the Pod Security check itself', () => {
  const compliant = (): PodSpec => ({
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
      },
    ],
    volumes: [{ name: 'secrets', secret: { secretName: 's' } }],
  });

  it('finds nothing to refuse in a compliant pod', () => {
    expect(restrictedViolations(compliant())).toEqual([]);
  });

  it.each<[string, (pod: PodSpec) => void, string]>([
    ['root allowed', (pod) => delete pod.securityContext!.runAsNonRoot, 'runAsNonRoot is not true'],
    ['uid 0', (pod) => (pod.containers[0]!.securityContext!.runAsUser = 0), 'runs as uid 0'],
    ['no seccomp profile', (pod) => delete pod.securityContext!.seccompProfile, 'seccompProfile'],
    ['escalation', (pod) => delete pod.containers[0]!.securityContext!.allowPrivilegeEscalation, 'escalate'],
    ['privileged', (pod) => (pod.containers[0]!.securityContext!.privileged = true), 'is privileged'],
    ['capabilities kept', (pod) => (pod.containers[0]!.securityContext!.capabilities = {}), 'drop ALL'],
    [
      'a capability added',
      (pod) => (pod.containers[0]!.securityContext!.capabilities!.add = ['NET_ADMIN']),
      'adds capabilities',
    ],
    ['writable root', (pod) => delete pod.containers[0]!.securityContext!.readOnlyRootFilesystem, 'writable'],
    ['host network', (pod) => (pod.hostNetwork = true), 'host namespace'],
    ['host path', (pod) => pod.volumes!.push({ name: 'host', hostPath: { path: '/' } }), 'is hostPath'],
    ['host port', (pod) => (pod.containers[0]!.ports = [{ hostPort: 80 }]), 'host port'],
  ])('refuses a pod with %s', (_case, breakIt, expected) => {
    const pod = compliant();
    breakIt(pod);
    expect(restrictedViolations(pod)).toEqual([expect.stringContaining(expected)]);
  });
});
