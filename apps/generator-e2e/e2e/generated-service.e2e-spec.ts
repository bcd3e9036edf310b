import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, WORKSPACE_ROOT } from '@runnerly/dev-infra';
import { SERVICE_NAMES } from '@runnerly/platform';
import {
  everythingRequired,
  type RunningStack,
  ScratchWorkspace,
  stackContainers,
  startComposeStack,
  whyContainersAreUnavailable,
} from '@runnerly/testing';
import { getContainerRuntimeClient } from 'testcontainers';

jest.setTimeout(15 * 60_000);

const NAME = 'goals';

/**
 * The generator's promise, kept end to end: in a copy of this workspace, `npm run generate:service -- goals`
 * makes a service that builds, passes lint (module boundaries included) and its own e2e spec, is accepted by
 * the checks of docker-compose.yml, and runs behind the gateway both in `npm start`'s stack and in the compose
 * stack (`docker compose up --build`): its route needs a token, one user cannot read another's item, bad input is
 * a 400, and it is in the gateway's readiness and API docs.
 */
describe('a service made by npm run generate:service', () => {
  let workspace: ScratchWorkspace;
  let generatorOutput: string;

  beforeAll(() => {
    workspace = ScratchWorkspace.copyOf(WORKSPACE_ROOT);
    generatorOutput = workspace.run('npm', ['run', 'generate:service', '--', NAME, '--skip-install']);
    workspace.linkPackages(); // what the generator's `npm install` does, without touching the lockfile
  });
  afterAll(() => workspace?.remove());

  it('is created with its route block, manifest entry and compose service, and refuses a second time', () => {
    expect(generatorOutput).toContain(`created  apps/${NAME}/src/${NAME}.module.ts`);
    expect(generatorOutput).toContain('changed  libs/platform/src/service-manifest.ts');
    expect(readFileSync(join(workspace.root, 'libs/platform/src/service-manifest.ts'), 'utf8')).toContain(
      `{ name: '${NAME}', kind: 'service', port: 3003, database: true }`,
    );
    expect(() => workspace.run('npm', ['run', 'generate:service', '--', NAME, '--skip-install'])).toThrow(
      `No service generated: ${NAME} is already a service of the manifest`,
    );
  });

  it('builds, type-checks and lints, module boundaries included', () => {
    const nx = (args: string[]) => workspace.run('npx', ['nx', ...args, '--output-style=static']);
    nx(['run-many', '-t', 'build', '-p', NAME, 'gateway', 'users', 'runs', 'dev-stack']);
    nx(['run-many', '-t', 'typecheck', 'lint', '-p', NAME, 'gateway', 'platform']);
  });

  it('passes its own e2e spec, and the checks of the manifest and docker-compose.yml', () => {
    const output = workspace.run('npm', ['test', '--', '--selectProjects', NAME, 'platform']);
    expect(output).toMatch(/Tests: +\d+ passed, \d+ total/);
  });

  it('leaves a docker-compose.yml that compose accepts as written', () => {
    const compose = [['docker', 'compose'], ['docker-compose']].find(
      ([command, ...prefix]) => spawnSync(command!, [...prefix, 'version'], { stdio: 'ignore' }).status === 0,
    );
    if (!compose) {
      process.emitWarning(
        'SKIPPED the compose check of the generated docker-compose.yml: no compose installed.',
      );
      return;
    }
    const [command, ...prefix] = compose;
    expect(
      workspace.run(command!, [...prefix, '--project-name', 'generated-check', 'config', '--quiet']),
    ).toBe('');
  });

  describe('in the stack of npm start', () => {
    let launcher: ChildProcess;
    let gateway: string;
    let stateDir: string;

    beforeAll(async () => {
      stateDir = join(workspace.root, '.runnerly');
      const ports = {
        GATEWAY_PORT: await freePort(),
        RUNNERLY_USERS_PORT: await freePort(),
        RUNNERLY_RUNS_PORT: await freePort(),
        [`RUNNERLY_${NAME.toUpperCase()}_PORT`]: await freePort(),
        RUNNERLY_POSTGRES_PORT: await freePort(),
        RUNNERLY_MAIL_SMTP_PORT: await freePort(),
        RUNNERLY_MAIL_HTTP_PORT: await freePort(),
        // Not the defaults (9100 and up): another launcher of the test run may hold those.
        RUNNERLY_GATEWAY_METRICS_PORT: await freePort(),
        RUNNERLY_USERS_METRICS_PORT: await freePort(),
        RUNNERLY_RUNS_METRICS_PORT: await freePort(),
        [`RUNNERLY_${NAME.toUpperCase()}_METRICS_PORT`]: await freePort(),
      };
      gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
      launcher = spawn(process.execPath, ['tools/dev-stack/dist/main.js'], {
        cwd: workspace.root,
        env: {
          ...process.env,
          ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
          RUNNERLY_STATE_DIR: stateDir,
          LOG_FORMAT: 'json',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await upOrExited(launcher);
    }, 5 * 60_000);

    afterAll(async () => {
      if (!launcher || launcher.exitCode !== null) return;
      const exited = new Promise((resolve) => launcher.once('exit', resolve));
      launcher.kill('SIGINT');
      const killLater = setTimeout(() => launcher.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(killLater);
    }, 90_000);

    itServesItsItemsBehindTheGateway(() => gateway, { docs: true });

    it("is part of the gateway's readiness: frozen, the gateway is not ready; thawed, it is again", async () => {
      const { services } = JSON.parse(readFileSync(join(stateDir, 'stack.pid.json'), 'utf8')) as {
        services: { name: string; pid: number }[];
      };
      const pid = services.find((service) => service.name === NAME)!.pid;
      const readiness = async () => (await fetch(`${gateway}/health/ready`)).status;
      expect(await readiness()).toBe(200);
      process.kill(pid, 'SIGSTOP');
      try {
        expect(await eventually(readiness, 503)).toBe(503);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      expect(await eventually(readiness, 200)).toBe(200);
    });
  });

  // Skipped, with a warning, where no Docker engine runs (and failed instead under RUNNERLY_REQUIRE_ALL, as in CI).
  describe('in the stack of docker compose up --build', () => {
    const SERVICES = [...SERVICE_NAMES, NAME];
    const imageTags = Object.fromEntries(
      SERVICES.map((service) => [`${service.toUpperCase()}_IMAGE`, `runnerly-generated/${service}:e2e`]),
    );
    let stack: RunningStack | undefined;

    beforeAll(async () => {
      const skipped = await whyContainersAreUnavailable();
      if (skipped && everythingRequired())
        throw new Error(`RUNNERLY_REQUIRE_ALL=1 but the compose stack cannot run: ${skipped}`);
      if (skipped) return process.emitWarning(`SKIPPED the compose stack with ${NAME}: ${skipped}`);
      // What the generator's `npm install` records; the image build runs `npm ci`, which needs it.
      workspace.run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund']);
      stack = await startComposeStack({ root: workspace.root, services: SERVICES, env: imageTags });
    }, 20 * 60_000);
    afterAll(async () => {
      await stack?.stop();
      // The copy's images carry tags of their own (a developer's runnerly/*:local stay as they were): removed.
      const { dockerode } = (await getContainerRuntimeClient()).container;
      for (const tag of Object.values(imageTags))
        await dockerode
          .getImage(tag)
          .remove({ force: true })
          .catch(() => undefined);
    }, 3 * 60_000);

    itServesItsItemsBehindTheGateway(() => stack?.gatewayUrl, { docs: false });

    it("is part of the gateway's readiness: paused, the gateway is not ready; unpaused, it is again", async () => {
      if (!stack) return;
      const { dockerode } = (await getContainerRuntimeClient()).container;
      const container = dockerode.getContainer((await stackContainers(stack.project)).get(NAME)!.id);
      const readiness = async () => (await fetch(`${stack!.gatewayUrl}/health/ready`)).status;
      expect(await eventually(readiness, 200)).toBe(200);
      await container.pause();
      try {
        expect(await eventually(readiness, 503)).toBe(503);
      } finally {
        await container.unpause();
      }
      expect(await eventually(readiness, 200)).toBe(200);
    });
  });
});

/**
 * What a client of the gateway sees of the generated service, in whichever stack runs it (none, when the
 * stack was skipped). `docs`: whether the stack serves the API docs (development, not production).
 */
function itServesItsItemsBehindTheGateway(
  gateway: () => string | undefined,
  { docs }: { docs: boolean },
): void {
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${gateway()}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => undefined)) as Record<string, unknown>,
    };
  };
  const signUp = async (name: string) => {
    const email = `${name}.${Date.now()}@runnerly.example`;
    const password = 'a good long passphrase 1';
    expect(
      (await call('POST', '/api/auth/register', undefined, { email, password, displayName: name })).status,
    ).toBe(201);
    return (await call('POST', '/api/auth/login', undefined, { email, password })).body.accessToken as string;
  };

  it('needs a token, keeps each user to their own items (404), and refuses bad input (400)', async () => {
    if (!gateway()) return;
    const [ada, grace] = [await signUp('ada'), await signUp('grace')];
    expect((await call('GET', `/api/${NAME}/items`)).status).toBe(401);

    const created = await call('POST', `/api/${NAME}/items`, ada, { title: 'Run a marathon' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call('GET', `/api/${NAME}/items/${id}`, ada)).body).toMatchObject({
      id,
      title: 'Run a marathon',
    });
    expect((await call('GET', `/api/${NAME}/items/${id}`, grace)).status).toBe(404);
    expect((await call('GET', `/api/${NAME}/items`, grace)).body).toEqual([]);

    const refused = await call('POST', `/api/${NAME}/items`, ada, { title: 'x', ownerId: id });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'VALIDATION.FAILED', requestId: expect.any(String) });
  });

  if (docs)
    it("appears in the gateway's API docs, with its public paths", async () => {
      const document = await call('GET', '/docs/openapi.json');
      expect(Object.keys(document.body.paths as object)).toEqual(
        expect.arrayContaining([`/api/${NAME}/items`, `/api/${NAME}/items/{id}`]),
      );
    });
  else
    it('has no API docs served in production, its paths included', async () => {
      if (!gateway()) return;
      expect((await call('GET', '/docs/openapi.json')).status).toBe(404);
    });
}

/** Resolves once the launcher logs that the stack is up; fails with its output if it exits first. */
function upOrExited(launcher: ChildProcess, timeoutMs = 4 * 60_000): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start was not up in time:\n${output.slice(-4_000)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"Runnerly is up"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    launcher.stdout!.on('data', onData);
    launcher.stderr!.on('data', onData);
    launcher.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before it was up:\n${output.slice(-4_000)}`));
    });
  });
}

/** Polls `read` until it returns `wanted` or 20 s have passed; returns the last value. */
async function eventually<T>(read: () => Promise<T>, wanted: T): Promise<T> {
  const deadline = Date.now() + 20_000;
  let value = await read();
  while (value !== wanted && Date.now() < deadline) {
    await sleep(250);
    value = await read();
  }
  return value;
}
