import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeWithRedis,
  everythingRequired,
  freePort,
  hostExtraCaCertificates,
  ScratchWorkspace,
} from '@runnerly/testing';
import { matchesShownOutput } from './support/expected-output';
import { markdownFiles, readWorkspaceFile, WORKSPACE_ROOT } from './support/markdown';
import { ShellSession } from './support/shell-session';
import { type ShellStep, shellSteps } from './support/shell-steps';

// The docs' shell sessions, run as a reader runs them: in the repository root, block after block in one shell
// per doc, against the stack `npm start` starts (session-prelude.sh says what a test run must do differently),
// each block's output compared with the output the doc shows (expected-output.ts says how). A doc that no
// longer matches what the code does fails here, at the line of the block.

/** Docs read one after the other on one stack (and its state folder). */
interface Reading {
  name: string;
  docs: string[];
  /** Start the stack before the first block, as the page expects it running. */
  stackRunning?: boolean;
  /** Run in a copy of the workspace: the page changes files (code, secrets) that are not the reader's to lose. */
  inACopy?: boolean;
  /** Run the page's `npm test` commands for real: it changes code and watches tests fail. */
  runsTests?: boolean;
  /**
   * The page runs `docker compose` in its copy, a folder named `runnerly` as a reader's clone is, so that the
   * names compose prints are those the page shows; the project is removed afterwards, volumes included.
   */
  usesCompose?: boolean;
}

/** The tutorial's chapters build on each other; each other page starts afresh. */
const READINGS: Reading[] = [
  {
    name: 'the tutorial',
    docs: [0, 1, 2, 3, 4, 5].map((chapter) => tutorialChapter(chapter)),
  },
  { name: 'the README', docs: ['README.md'] },
  // The how-tos start with the stack running, as a reader's does.
  {
    name: "the operator's how-tos",
    docs: [
      'docs/how-to/create-the-first-admin.md',
      'docs/how-to/end-the-sessions-of-an-account.md',
      'docs/how-to/back-up-and-restore.md',
      'docs/how-to/read-the-metrics-and-alerts.md',
    ],
    stackRunning: true,
  },
  { name: 'rotating the signing key', docs: ['docs/how-to/rotate-the-signing-key.md'] },
  { name: 'adding a service', docs: ['docs/how-to/add-a-service.md'] },
  { name: 'the OpenID Connect how-to', docs: ['docs/how-to/sign-in-with-openid-connect.md'] },
  { name: 'the containers chapter', docs: [tutorialChapter(6)], inACopy: true, usesCompose: true },
  { name: 'the capstone', docs: [tutorialChapter(7)], inACopy: true, runsTests: true },
  { name: 'the accounts chapter', docs: [tutorialChapter(8)], stackRunning: true },
  { name: 'the email chapter', docs: [tutorialChapter(9)], stackRunning: true },
  { name: 'the browser chapter', docs: [tutorialChapter(10)], stackRunning: true },
  { name: 'the launcher', docs: ['tools/dev-stack/README.md'] },
  { name: 'the offline images', docs: ['infra/offline/README.md'] },
  { name: 'the benchmark', docs: ['docs/performance.md'] },
  { name: 'the tracing reference', docs: ['docs/reference/tracing.md'] },
  { name: 'the supply chain', docs: ['docs/explanation/supply-chain.md'] },
  {
    name: 'the fuzz tests, in the explanations',
    docs: ['docs/explanation/input-validation.md', 'docs/security/owasp-api-top10.md'],
  },
];

/** The ports the docs name: the stack must have them, as a reader's would. */
const DOCUMENTED_PORTS = [3000, 3001, 3002, 9100, 9101, 9102, 1025, 8025];
/** The Redis of chapter 04 ("a Redis you have"): the test run's own. */
const DOCUMENTED_REDIS_URL = 'redis://127.0.0.1:6379';
const BLOCK_TIMEOUT_MS = 8 * 60_000;

/** The commands the docs use besides npm and node (the tutorial's prerequisites). */
const DOCUMENTED_TOOLS = ['curl', 'jq'];

const whyNotRunnable = [
  ...portsInUse(DOCUMENTED_PORTS).map((port) => `port ${port} is in use (is npm start running?)`),
  ...DOCUMENTED_TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0).map(
    (tool) => `${tool} is not installed`,
  ),
];
const COMPOSE_PROJECT = 'runnerly';
const whyComposeIsMissing = whyTheComposeProjectIsUnavailable();

it('runs every doc that has shell blocks', () => {
  const withShellBlocks = markdownFiles().filter((doc) => shellSteps(readWorkspaceFile(doc)).length > 0);
  expect(READINGS.flatMap((reading) => reading.docs).sort()).toEqual(withShellBlocks.sort());
});

describeWithRedis("the docs' shell sessions", (redisUrl) => {
  describe.each(READINGS)('$name', ({ docs, stackRunning, inACopy, runsTests, usesCompose }) => {
    const missing = [...whyNotRunnable, ...(usesCompose && whyComposeIsMissing ? [whyComposeIsMissing] : [])];
    if (missing.length > 0 && !everythingRequired()) {
      process.emitWarning(`SKIPPED the shell sessions of ${docs.join(', ')}: ${missing.join('; ')}`);
      it.skip('runs as shown (skipped)', () => undefined);
      return;
    }
    let stateDir: string;
    let scratchDir: string;
    let postgresPort: number;
    let copy: ScratchWorkspace | undefined;

    beforeAll(async () => {
      expect(missing).toEqual([]);
      expect(portsInUse(DOCUMENTED_PORTS)).toEqual([]);
      stateDir = mkdtempSync(join(tmpdir(), 'runnerly-doc-test-state-'));
      scratchDir = mkdtempSync(join(tmpdir(), 'runnerly-doc-test-blocks-'));
      postgresPort = await freePort();
      if (inACopy) copy = ScratchWorkspace.copyOf(WORKSPACE_ROOT, usesCompose ? COMPOSE_PROJECT : undefined);
    }, 120_000);

    afterAll(async () => {
      await stopStack(stateDir);
      if (usesCompose && copy) removeComposeProject(copy.root);
      for (const dir of [stateDir, scratchDir]) if (dir) rmSync(dir, { recursive: true, force: true });
      copy?.remove();
    }, 90_000);

    describe.each(docs)('%s', (doc) => {
      const steps = shellSteps(readWorkspaceFile(doc)).filter((step) => step.skipped === undefined);
      let session: ShellSession;
      let untrackedBefore: string[];

      beforeAll(async () => {
        untrackedBefore = untrackedFiles();
        session = ShellSession.start({
          cwd: copy?.root ?? WORKSPACE_ROOT,
          env: {
            ...readerEnvironment(),
            RUNNERLY_STATE_DIR: stateDir,
            RUNNERLY_POSTGRES_PORT: String(postgresPort),
            ...(runsTests ? { DOC_TEST_RUN_TESTS: '1' } : {}),
            // What a reader behind an HTTPS-intercepting proxy gives the image build (the containers chapter).
            ...(usesCompose ? { BUILD_EXTRA_CA_CERTS: hostExtraCaCertificates() } : {}),
          },
          prelude: join(__dirname, 'support/session-prelude.sh'),
          scratchDir,
        });
        if (stackRunning && doc === docs[0]) {
          const started = await session.run('npm start', BLOCK_TIMEOUT_MS);
          expect(started).toEqual({ status: 0, output: '' });
        }
      }, BLOCK_TIMEOUT_MS);
      afterAll(() => session?.close());

      // A page whose every block says why it is not run (the offline images' README) has none left to run.
      const itEachStep = steps.length > 0 ? it.each(steps) : () => undefined;
      itEachStep(
        'line $line runs as shown',
        async (step: ShellStep) => {
          const { output, status } = await session.run(
            step.command.replaceAll(DOCUMENTED_REDIS_URL, redisUrl()),
            BLOCK_TIMEOUT_MS,
          );
          if (step.expected === undefined || (!runsTests && /\bnpm test\b/.test(step.command))) {
            // No output shown (or a test report of a run this session did not make): the block must succeed;
            // when it does not, the failure shows its output.
            expect({ status, output: status === 0 ? 'not compared' : output }).toEqual({
              status: 0,
              output: 'not compared',
            });
          } else if (!matchesShownOutput(output, step.expected)) {
            expect(output.trim()).toBe(step.expected.trim()); // the whole diff, for the reader of the failure
          }
        },
        BLOCK_TIMEOUT_MS + 10_000,
      );

      // A page run in a copy changes the copy on purpose (it is deleted afterwards).
      if (!inACopy)
        it('leaves no file behind in the working tree (credentials included)', () => {
          expect(untrackedFiles()).toEqual(untrackedBefore);
        });
    });
  });
});

function tutorialChapter(chapter: number): string {
  const prefix = String(chapter).padStart(2, '0');
  const file = execFileSync('git', ['ls-files', `docs/tutorial/${prefix}-*.md`], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
  }).trim();
  return file;
}

/** The test run's environment without what would change the stack a reader gets from a plain `npm start`. */
function readerEnvironment(): NodeJS.ProcessEnv {
  const changesTheStack =
    /^(REDIS_URL|DATABASE_URL|\w+_DATABASE_URL|OAUTH_CLIENTS|BOOTSTRAP_\w+|GATEWAY_\w+|CORS_\w+|JWT_\w+|LOG_\w+|RUNNERLY_(?!CACHE)\w+|NODE_ENV)$/;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !changesTheStack.test(name)));
}

/**
 * Why the page cannot run `docker compose` under the project name a reader's clone has, or undefined when it
 * can (checked synchronously, at collection time). A project of that name that exists already is a reader's
 * own stack: the page's `down -v` would delete its database.
 */
function whyTheComposeProjectIsUnavailable(): string | undefined {
  if (process.env.RUNNERLY_TEST_DOCKER === '0') return 'RUNNERLY_TEST_DOCKER=0 turns containers off';
  if (spawnSync('docker', ['info', '--format', '{{.ServerVersion}}']).status !== 0)
    return 'no Docker engine is reachable';
  if (spawnSync('docker', ['compose', 'version']).status !== 0) return '`docker compose` is not installed';
  const label = `label=com.docker.compose.project=${COMPOSE_PROJECT}`;
  const existing = ['ps -a', 'volume ls'].flatMap((list) =>
    spawnSync('docker', [...list.split(' '), '--quiet', '--filter', label], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean),
  );
  if (existing.length > 0)
    return `a compose project named ${COMPOSE_PROJECT} exists on this engine (your own stack?): remove it with docker compose down -v`;
  return undefined;
}

/** `docker compose down --volumes` of the project a page started in its copy (containers, networks, volumes). */
function removeComposeProject(root: string): void {
  spawnSync('docker', ['compose', 'down', '--volumes', '--remove-orphans', '--timeout', '10'], {
    cwd: root,
    timeout: 120_000,
  });
}

function untrackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '--others', '--exclude-standard'], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
}

/** The ports of `ports` that something listens on (checked synchronously, to decide at collection time). */
function portsInUse(ports: number[]): number[] {
  const probe = `
    const net = require('node:net');
    Promise.all(${JSON.stringify(ports)}.map((port) => new Promise((resolve) => {
      const server = net.createServer().once('error', () => resolve(port)).listen(port, '127.0.0.1', () => server.close(() => resolve(null)));
    }))).then((busy) => console.log(JSON.stringify(busy.filter(Boolean))));`;
  return JSON.parse(spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).stdout) as number[];
}

/** Ctrl-C for the stack a session started (its process group), then SIGKILL if it has not exited in 60 s. */
async function stopStack(stateDir: string | undefined): Promise<void> {
  if (!stateDir) return;
  let pid: number;
  try {
    pid = Number(readFileSync(join(stateDir, 'doc-test-stack.pid'), 'utf8'));
  } catch {
    return;
  }
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
      return true;
    } catch {
      return false;
    }
  };
  signal('SIGINT');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && signal(0 as unknown as NodeJS.Signals))
    await new Promise((r) => setTimeout(r, 100));
  signal('SIGKILL');
}
