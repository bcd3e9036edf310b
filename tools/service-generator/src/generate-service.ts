import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type ServiceDefinition } from '@runnerly/platform';

/** Where the template lives, beside the built generator (tools/service-generator/dist). */
const TEMPLATE = join(__dirname, '..', 'template');

/** A new service's name names a folder, a compose service, a database and role, and `<NAME>_URL`. */
const NAME = /^[a-z][a-z0-9]{1,30}$/;
/** Names taken by something else than a service: a compose service, a library, a tool. */
const RESERVED = new Set([
  'postgres',
  'redis',
  'mail',
  'secrets',
  'platform',
  'security',
  'database',
  'testing',
  'public',
  'template',
]);

export interface GenerateServiceOptions {
  /** The workspace to add the service to. */
  root: string;
  name: string;
  /** The services already registered, to refuse a taken name and choose the next free port. */
  services: readonly ServiceDefinition[];
  /** The migration's timestamp; default: now. */
  now?: Date;
}

/** What the generator did: every file it created and every file it changed, relative to the root. */
export interface GeneratedService {
  port: number;
  created: string[];
  changed: string[];
}

/**
 * Adds an internal service to the workspace: its app from the template (foundation, database, one owned
 * resource, an e2e spec), its entry in the service manifest, its route block in the gateway, its jest
 * project, and its place in docker-compose.yml. Nothing is written when the name is refused.
 */
export function generateService(options: GenerateServiceOptions): GeneratedService {
  const { root, name, services } = options;
  const problem = nameProblem(name, services, root);
  if (problem) throw new Error(problem);

  const port = Math.max(...services.map((service) => service.port)) + 1;
  const tokens: Record<string, string> = {
    __name__: name,
    __Name__: name[0]!.toUpperCase() + name.slice(1),
    __NAME__: name.toUpperCase(),
    __port__: String(port),
    __timestamp__: String((options.now ?? new Date()).getTime()),
  };
  const fill = (text: string) =>
    text.replace(/__(name|Name|NAME|port|timestamp)__/g, (token) => tokens[token]!);

  const created: string[] = [];
  const write = (path: string, text: string) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    created.push(path);
  };
  // `.template`: the files a tool would take for a project of this workspace (project.json, package.json).
  for (const file of filesUnder(join(TEMPLATE, 'service'))) {
    const path = fill(relative(join(TEMPLATE, 'service'), file)).replace(/\.template$/, '');
    write(join('apps', name, path), fill(readFileSync(file, 'utf8')));
  }
  write(
    join('apps/gateway/src/routes', `${name}.routes.ts`),
    fill(readFileSync(join(TEMPLATE, 'gateway', '__name__.routes.ts'), 'utf8')),
  );
  write(join('secrets', name, '.gitkeep'), '');

  const changed: string[] = [];
  const edit = (path: string, change: (text: string) => string) => {
    const file = join(root, path);
    writeFileSync(file, change(readFileSync(file, 'utf8')));
    changed.push(path);
  };
  edit('libs/platform/src/service-manifest.ts', (text) =>
    insertBefore(
      text,
      /^ *\{ name: 'gateway'/m,
      `  { name: '${name}', kind: 'service', port: ${port}, database: true },\n`,
    ),
  );
  edit('apps/gateway/src/gateway.module.ts', (text) =>
    insertAfterLast(
      text.replace(
        /controllers: \[([^\]]*)\]/,
        (_all, list: string) => `controllers: [${list}, ${tokens.__Name__}Routes]`,
      ),
      /^import .* from '\.\/routes\/.*';\n/gm,
      `import { ${tokens.__Name__}Routes } from './routes/${name}.routes';\n`,
    ),
  );
  edit('jest.config.js', (text) =>
    insertBefore(text, /^ *'<rootDir>\/apps\/gateway',/m, `    '<rootDir>/apps/${name}',\n`),
  );
  edit('docker-compose.yml', (text) => withComposeService(text, name, port, services));
  // The compose Prometheus scrapes each container by its own name (one instance here, so its service name).
  edit('infra/prometheus/prometheus.yml', (text) =>
    insertBefore(text, /, gateway:9100\]$/m, `, ${name}:9100`),
  );
  return { port, created, changed };
}

/** Why a name cannot be a new service, or undefined when it can. */
export function nameProblem(
  name: string,
  services: readonly ServiceDefinition[],
  root: string,
): string | undefined {
  if (!NAME.test(name))
    return `"${name}" is not a service name: 2 to 31 lower-case letters and digits, starting with a letter`;
  if (services.some((service) => service.name === name))
    return `${name} is already a service of the manifest`;
  if (RESERVED.has(name)) return `${name} is reserved`;
  if (existsSync(join(root, 'apps', name))) return `apps/${name} exists already`;
  return undefined;
}

/**
 * docker-compose.yml with the service in it: its block before the gateway's (one instance, its own secrets,
 * the issuer's JWKS), the gateway's `<NAME>_URL` and its wait for it, its secrets folder, and its name in the
 * lists of the secrets generator and of PostgreSQL's init script.
 */
function withComposeService(
  text: string,
  name: string,
  port: number,
  services: readonly ServiceDefinition[],
): string {
  const issuer = services.find((service) => service.issuesTokens)!;
  const block = `  ${name}:
    <<: *node-service
    image: \${${name.toUpperCase()}_IMAGE:-runnerly/${name}:local}
    build:
      <<: *node-build
      args:
        SERVICE: ${name}
        PORT: '${port}'
        NODE_IMAGE: \${NODE_IMAGE:-node:24-slim}
        BUILD_EXTRA_CA_CERTS: \${BUILD_EXTRA_CA_CERTS:-}
    environment:
      NODE_ENV: production
      HOST: 0.0.0.0
      PORT: '${port}'
      LOG_LEVEL: \${LOG_LEVEL:-info}
      TRUST_PROXY_HOPS: '1'
      DATABASE_URL_FILE: /run/secrets/${name}/database_url
      # Read by \`node backup.js\` only (docs/how-to/back-up-and-restore.md); the service never uses it.
      BACKUP_KEY_FILE: /run/secrets/${name}/backup_key
      REDIS_URL_FILE: /run/secrets/${name}/redis_url
      REDIS_CA_FILE: /run/secrets/${name}/internal_ca.pem
      TLS_CERT_FILE: /run/secrets/${name}/tls_cert.pem
      TLS_KEY_FILE: /run/secrets/${name}/tls_key.pem
      TLS_CLIENT_CA_FILE: /run/secrets/${name}/internal_ca.pem
      TLS_CLIENT_NAMES: gateway
      INTERNAL_TLS_CA_FILE: /run/secrets/${name}/internal_ca.pem
      INTERNAL_TLS_CERT_FILE: /run/secrets/${name}/tls_cert.pem
      INTERNAL_TLS_KEY_FILE: /run/secrets/${name}/tls_key.pem
      HEALTH_PORT: '9000'
      # Scraped by the observability profile's Prometheus (infra/prometheus/prometheus.yml); never published.
      METRICS_HOST: 0.0.0.0
      METRICS_PORT: '9100'
      JWKS_URL: https://${issuer.name}:${issuer.port}/.well-known/jwks.json
    secrets: [${name}]
    networks: [backend]
    depends_on:
      postgres: { condition: service_healthy }
      redis: { condition: service_healthy }
    cpus: 0.5
    mem_limit: 256m

`;
  let result = insertBefore(text, /^ {2}gateway:\n/m, block);
  const gateway = result.search(/^ {2}gateway:\n/m);
  const [before, after] = [result.slice(0, gateway), result.slice(gateway)];
  result =
    before +
    insertBefore(
      insertAfter(after, /^ {4}depends_on:\n/m, `      ${name}: { condition: service_healthy }\n`),
      /^ {6}JWKS_URL: /m,
      `      ${name.toUpperCase()}_URL: https://${name}:${port}\n`,
    );
  result = result
    .replace(/^( {6}SERVICES: .*?)( gateway)$/m, `$1 ${name}$2`)
    .replace(/^( {6}DATABASE_SERVICES: .*)$/m, `$1 ${name}`)
    .replace(/^( {6}SERVICE_DATABASES: .*)$/m, `$1 ${name}`);
  return `${result.trimEnd()}\n  ${name}:\n    file: \${RUNNERLY_SECRETS_DIR:-./secrets}/${name}\n`;
}

function insertBefore(text: string, anchor: RegExp, insertion: string): string {
  const at = text.search(anchor);
  if (at < 0) throw new Error(`cannot find ${anchor} to insert before`);
  return text.slice(0, at) + insertion + text.slice(at);
}

function insertAfter(text: string, anchor: RegExp, insertion: string): string {
  const match = anchor.exec(text);
  if (!match) throw new Error(`cannot find ${anchor} to insert after`);
  const at = match.index + match[0].length;
  return text.slice(0, at) + insertion + text.slice(at);
}

function insertAfterLast(text: string, anchor: RegExp, insertion: string): string {
  const matches = [...text.matchAll(anchor)];
  const last = matches.at(-1);
  if (!last) throw new Error(`cannot find ${anchor} to insert after`);
  const at = last.index + last[0].length;
  return text.slice(0, at) + insertion + text.slice(at);
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}
