import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithRedis, everythingRequired, freePort, ScratchWorkspace } from '@runnerly/testing';
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
  /** Run in a copy of the workspace, with real test runs: the page changes code and watches tests fail. */
  inACopy?: boolean;
}

/** The tutorial's chapters build on each other; each other page starts afresh. */
const READINGS: Reading[] = [
  {
    name: 'the tutorial',
    docs: [0, 1, 2, 3, 4].map((chapter) => tutorialChapter(chapter)),
  },
  { name: 'the README', docs: ['README.md'] },
  // The how-to starts with the stack running, as a reader's does.
  { name: 'creating the first admin', docs: ['docs/how-to/create-the-first-admin.md'], stackRunning: true },
  { name: 'rotating the signing key', docs: ['docs/how-to/rotate-the-signing-key.md'] },
  { name: 'adding a service', docs: ['docs/how-to/add-a-service.md'] },
  { name: 'the containers chapter', docs: [tutorialChapter(5)] },
  { name: 'the capstone', docs: [tutorialChapter(6)], inACopy: true },
  { name: 'the launcher', docs: ['tools/dev-stack/README.md'] },
  { name: 'the offline images', docs: ['infra/offline/README.md'] },
  {
    name: 'the fuzz tests, in the explanations',
    docs: ['docs/explanation/input-validation.md', 'docs/security/owasp-api-top10.md'],
  },
];

/** The ports the docs name: the stack must have them, as a reader's would. */
const DOCUMENTED_PORTS = [3000, 3001, 3002];
/** The Redis of chapter 03 ("a Redis you have"): the test run's own. */
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
const describeWhenRunnable = whyNotRunnable.length === 0 || everythingRequired() ? describe : describe.skip;
if (whyNotRunnable.length > 0 && !everythingRequired())
  process.emitWarning(`SKIPPED the docs' shell sessions: ${whyNotRunnable.join('; ')}`);

it('runs every doc that has shell blocks', () => {
  const withShellBlocks = markdownFiles().filter((doc) => shellSteps(readWorkspaceFile(doc)).length > 0);
  expect(READINGS.flatMap((reading) => reading.docs).sort()).toEqual(withShellBlocks.sort());
});

describeWithRedis("the docs' shell sessions", (redisUrl) => {
  describeWhenRunnable.each(READINGS)('$name', ({ docs, stackRunning, inACopy }) => {
    let stateDir: string;
    let scratchDir: string;
    let postgresPort: number;
    let copy: ScratchWorkspace | undefined;

    beforeAll(async () => {
      expect(whyNotRunnable).toEqual([]);
      expect(portsInUse(DOCUMENTED_PORTS)).toEqual([]);
      stateDir = mkdtempSync(join(tmpdir(), 'runnerly-doc-test-state-'));
      scratchDir = mkdtempSync(join(tmpdir(), 'runnerly-doc-test-blocks-'));
      postgresPort = await freePort();
      if (inACopy) copy = ScratchWorkspace.copyOf(WORKSPACE_ROOT);
    }, 120_000);

    afterAll(async () => {
      await stopStack(stateDir);
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
            ...(inACopy ? { DOC_TEST_RUN_TESTS: '1' } : {}),
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

      // Every block of the containers chapter says why it is not run: nothing is left to run there.
      const itEachStep = steps.length > 0 ? it.each(steps) : () => undefined;
      itEachStep(
        'line $line runs as shown',
        async (step: ShellStep) => {
          const { output, status } = await session.run(
            step.command.replaceAll(DOCUMENTED_REDIS_URL, redisUrl()),
            BLOCK_TIMEOUT_MS,
          );
          if (step.expected === undefined || (!inACopy && /\bnpm test\b/.test(step.command))) {
            // No output shown (or a test report of a run this session did not make): the block must succeed.
            expect({ status, output }).toEqual({ status: 0, output: expect.any(String) });
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
