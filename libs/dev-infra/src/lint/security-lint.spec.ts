import { join } from 'node:path';
import { ESLint } from 'eslint';

/**
 * The repository's own eslint.config.mjs, run on small sources as if they were files of the workspace: each
 * security rule CI relies on fires on its attack and stays quiet on the safe way to do the same thing. The
 * fixtures are strings, so the workspace's own lint run never sees them; invisible and bidirectional
 * characters are written as escapes for the same reason.
 */
const ROOT = join(__dirname, '../../../..');
const SERVICE_FILE = 'apps/users/src/accounts/fixture.ts';

interface RuleCase {
  rule: string;
  attack: string;
  attackCode: string;
  safe: string;
  safeCode: string;
  /** Where the fixture pretends to live: a service's source folder unless the rule needs another kind. */
  file?: string;
}

/** A fixture of several lines. */
const source = (...lines: string[]) => lines.join('\n');

const CASES: RuleCase[] = [
  {
    rule: 'no-eval',
    attack: 'eval of a variable (code injection)',
    attackCode: 'export const run = (input: string) => eval(input);',
    safe: 'parsing the same input as JSON',
    safeCode: 'export const run = (input: string) => JSON.parse(input);',
  },
  {
    rule: 'security/detect-eval-with-expression',
    attack: 'eval of a built string (code injection)',
    attackCode: 'export const run = (input: string) => eval(`total(${input})`);',
    safe: 'calling the function with the input as an argument',
    safeCode: 'export const run = (input: string, total: (n: string) => number) => total(input);',
  },
  {
    rule: 'no-implied-eval',
    attack: 'a timer given a string of code (code injection)',
    attackCode: "export const later = (input: string) => setTimeout('tick(' + input + ')', 10);",
    safe: 'a timer given a function',
    safeCode: 'export const later = (tick: () => void) => setTimeout(tick, 10);',
  },
  {
    rule: 'no-new-func',
    attack: 'a Function built from a string (code injection)',
    attackCode: "export const compile = (body: string) => new Function('row', body);",
    safe: 'a function written in the source',
    safeCode: 'export const compile = () => (row: { id: string }) => row.id;',
  },
  {
    rule: 'no-script-url',
    attack: 'a javascript: URL (script injection)',
    attackCode: "export const link = { href: 'javascript:void(0)' };",
    safe: 'a path URL',
    safeCode: "export const link = { href: '/runs' };",
  },
  {
    rule: 'security/detect-child-process',
    attack: 'child_process.exec with a built command line (shell injection)',
    attackCode: source(
      "import { exec } from 'node:child_process';",
      'export const list = (dir: string) => exec(`ls ${dir}`);',
    ),
    safe: 'execFile with the input as its own argument',
    safeCode: source(
      "import { execFile } from 'node:child_process';",
      "export const list = (dir: string) => execFile('ls', ['--', dir]);",
    ),
  },
  {
    rule: 'security/detect-non-literal-regexp',
    attack: 'a RegExp built from a variable (ReDoS)',
    attackCode: 'export const matches = (pattern: string, name: string) => new RegExp(pattern).test(name);',
    safe: 'a plain string comparison',
    safeCode: 'export const matches = (prefix: string, name: string) => name.startsWith(prefix);',
  },
  {
    rule: 'security/detect-unsafe-regex',
    attack: 'a regular expression with a nested repetition (ReDoS)',
    attackCode: 'export const isWords = (input: string) => /^(\\w+\\s?)*$/.test(input);',
    safe: 'a regular expression with one level of repetition',
    safeCode: 'export const isWords = (input: string) => /^[\\w\\s]*$/.test(input);',
  },
  {
    rule: 'security/detect-possible-timing-attacks',
    attack: 'a secret compared with === (timing attack)',
    attackCode: source(
      'export function check(token: string, expected: string): boolean {',
      '  if (token === expected) return true;',
      '  return false;',
      '}',
    ),
    safe: 'a secret compared with timingSafeEqual',
    safeCode: source(
      "import { timingSafeEqual } from 'node:crypto';",
      'export const check = (token: Buffer, expected: Buffer) =>',
      '  token.length === expected.length && timingSafeEqual(token, expected);',
    ),
  },
  {
    rule: 'security/detect-new-buffer',
    attack: 'a Buffer constructed from a variable (uninitialised memory)',
    attackCode: 'export const scratch = (size: number) => new Buffer(size);',
    safe: 'Buffer.alloc, which zero-fills',
    safeCode: 'export const scratch = (size: number) => Buffer.alloc(size);',
  },
  {
    rule: 'security/detect-buffer-noassert',
    attack: 'a Buffer read without its bounds check',
    attackCode: 'export const first = (bytes: Buffer, at: number) => bytes.readUInt8(at, true);',
    safe: 'a Buffer read with its bounds check',
    safeCode: 'export const first = (bytes: Buffer, at: number) => bytes.readUInt8(at);',
  },
  {
    rule: 'security/detect-pseudoRandomBytes',
    attack: 'crypto.pseudoRandomBytes (predictable secrets)',
    attackCode: source(
      "import crypto from 'node:crypto';",
      'export const nonce = () => crypto.pseudoRandomBytes(16);',
    ),
    safe: 'crypto.randomBytes',
    safeCode: source(
      "import crypto from 'node:crypto';",
      'export const nonce = () => crypto.randomBytes(16);',
    ),
  },
  {
    rule: 'security/detect-non-literal-require',
    attack: 'require of a variable (loading attacker-chosen code)',
    attackCode: 'module.exports = (name) => require(name);',
    safe: 'require of a literal path',
    safeCode: "module.exports = () => require('./defaults.json');",
    file: 'apps/users/fixture.config.js',
  },
  {
    rule: 'security/detect-non-literal-fs-filename',
    attack: 'a file path built from a variable in a service (path traversal)',
    attackCode: source(
      "import { readFile } from 'node:fs/promises';",
      'export const avatar = (name: string) => readFile(`avatars/${name}`);',
    ),
    safe: 'a literal file path in a service',
    safeCode: source(
      "import { readFile } from 'node:fs/promises';",
      "export const avatar = () => readFile('avatars/default.png');",
    ),
  },
  {
    rule: 'security/detect-no-csrf-before-method-override',
    attack: 'the CSRF middleware before methodOverride (CSRF bypass)',
    attackCode: source(
      'export const setUp = (app, express) => {',
      '  app.use(express.csrf());',
      '  app.use(express.methodOverride());',
      '};',
    ),
    safe: 'methodOverride before the CSRF middleware',
    safeCode: source(
      'export const setUp = (app, express) => {',
      '  app.use(express.methodOverride());',
      '  app.use(express.csrf());',
      '};',
    ),
    file: 'apps/users/fixture.config.js',
  },
  {
    rule: 'security/detect-disable-mustache-escape',
    attack: 'template escaping switched off (XSS)',
    attackCode: source(
      'export const configure = (template: { escapeMarkup: boolean }) => {',
      '  template.escapeMarkup = false;',
      '};',
    ),
    safe: 'template escaping left on',
    safeCode: source(
      'export const configure = (template: { escapeMarkup: boolean }) => {',
      '  template.escapeMarkup = true;',
      '};',
    ),
  },
  {
    rule: 'security/detect-bidi-characters',
    attack: 'a right-to-left override hiding code in a comment (Trojan Source)',
    attackCode: "export const role = (isAdmin: boolean) => (isAdmin ? 'admin' : 'user'); // \u202e } \u2066",
    safe: 'the same line without bidirectional controls',
    safeCode: "export const role = (isAdmin: boolean) => (isAdmin ? 'admin' : 'user'); // admin or user",
  },
  {
    rule: 'security/detect-invisible-characters',
    attack: 'an invisible identifier (a hidden backdoor parameter)',
    attackCode: 'export const command = (\u3164: string) => ["ping", \u3164];',
    safe: 'a visible identifier',
    safeCode: 'export const command = (host: string) => ["ping", host];',
  },
  {
    rule: 'no-unsanitized/property',
    attack: 'element.innerHTML set to a variable (DOM XSS)',
    attackCode: source(
      'export const show = (element: HTMLElement, value: string) => {',
      '  element.innerHTML = value;',
      '};',
    ),
    safe: 'element.textContent set to the same variable',
    safeCode: source(
      'export const show = (element: HTMLElement, value: string) => {',
      '  element.textContent = value;',
      '};',
    ),
  },
  {
    rule: 'no-unsanitized/method',
    attack: 'insertAdjacentHTML with a variable (DOM XSS)',
    attackCode: source(
      'export const add = (element: HTMLElement, value: string) =>',
      "  element.insertAdjacentHTML('beforeend', value);",
    ),
    safe: 'insertAdjacentText with the same variable',
    safeCode: source(
      'export const add = (element: HTMLElement, value: string) =>',
      "  element.insertAdjacentText('beforeend', value);",
    ),
  },
];

/** One source that sets off a rule of each plugin, linted as each kind of file of the workspace. */
const ANY_FILE_ATTACK = source(
  'export const render = (element, html) => {',
  '  element.innerHTML = html;',
  '  return eval(html);',
  '};',
);
const FILE_KINDS = [
  ['a service', 'apps/gateway/src/proxy/fixture.ts'],
  ['a library', 'libs/security/src/auth/fixture.ts'],
  ['a unit test', 'libs/database/src/fixture.spec.ts'],
  ['an end-to-end test', 'apps/stack-e2e/e2e/fixture.e2e-spec.ts'],
  ['a tool', 'tools/dev-stack/src/fixture.ts'],
  ['an image build script', 'infra/docker/image/fixture.mjs'],
  ['a JavaScript config file', 'apps/runs/fixture.config.js'],
];

describe('security lint (eslint.config.mjs)', () => {
  let eslint: ESLint;

  beforeAll(() => {
    // The fixtures below exist only as text, and type-aware parsing needs files that a tsconfig holds on
    // disk: it is off here, and with it the one type-aware rule (no-floating-promises), which is not a
    // security rule of this spec.
    eslint = new ESLint({
      cwd: ROOT,
      overrideConfig: {
        languageOptions: { parserOptions: { projectService: false } },
        rules: { '@typescript-eslint/no-floating-promises': 'off' },
      },
    });
  });

  /**
   * The rules that fire on a source as errors. A warning shows as "<rule> (warning)", a parse error as
   * "fatal: …", so that neither can pass for the error CI needs, nor for silence.
   */
  async function rulesFiredOn(code: string, file = SERVICE_FILE): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
    return result!.messages.map(({ ruleId, severity, message }) =>
      ruleId === null ? `fatal: ${message}` : severity === 2 ? ruleId : `${ruleId} (warning)`,
    );
  }

  it.each(CASES.map((ruleCase) => [ruleCase.attack, ruleCase.rule, ruleCase] as const))(
    'flags %s with %s',
    async (_attack, rule, { attackCode, file }) => {
      expect(await rulesFiredOn(attackCode, file)).toContain(rule);
    },
  );

  it.each(CASES.map((ruleCase) => [ruleCase.safe, ruleCase] as const))(
    'accepts %s',
    async (_safe, { safeCode, file }) => {
      expect(await rulesFiredOn(safeCode, file)).toEqual([]);
    },
  );

  it.each(FILE_KINDS)('applies the security rules to %s (%s)', async (_kind, file) => {
    expect(await rulesFiredOn(ANY_FILE_ATTACK, file)).toEqual(
      expect.arrayContaining(['security/detect-eval-with-expression', 'no-unsanitized/property']),
    );
  });

  it('allows a file path built from a variable in tooling, where no request can name the file', async () => {
    const code = source(
      "import { readFile } from 'node:fs/promises';",
      'export const record = (dir: string) => readFile(`${dir}/stack.pid.json`);',
    );

    expect(await rulesFiredOn(code, 'tools/dev-stack/src/fixture.ts')).toEqual([]);
  });
});
