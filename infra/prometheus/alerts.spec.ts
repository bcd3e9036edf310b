import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { everythingRequired } from '@runnerly/security/testing';
import { load } from 'js-yaml';

// The alerting rules are proved by promtool's own unit tests (alerts.test.yml); this spec runs them, so that
// their result counts in `npm test`, and checks what promtool does not: that every alert is tested both firing
// and held back, and that each one tells the on-call person where to start.

const WORKSPACE_ROOT = join(__dirname, '../..');
const RULES = 'alerts.yml';
const RULE_TESTS = 'alerts.test.yml';
/** Where every alert's runbook is a section. */
const RUNBOOK_PAGE = 'docs/explanation/detecting-attacks.md';

interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleTestFile {
  rule_files: string[];
  tests: {
    name: string;
    alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: unknown[] }[];
  }[];
}

const alerts = (
  load(readFileSync(join(__dirname, RULES), 'utf8')) as { groups: { rules: AlertingRule[] }[] }
).groups.flatMap((group) => group.rules);
const ruleTests = load(readFileSync(join(__dirname, RULE_TESTS), 'utf8')) as RuleTestFile;

/** promtool (Debian: `apt-get install prometheus`, as .ci/run does) on PATH, by its version line. */
function promtoolVersion(): string | undefined {
  const result = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.split('\n')[0] : undefined;
}

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: __dirname, encoding: 'utf8' });
  return {
    status: result.status,
    output: result.error ? String(result.error) : result.stdout + result.stderr,
  };
}

/**
 * `describe` where promtool is installed. Elsewhere the suite is skipped with a warning, or fails under
 * RUNNERLY_REQUIRE_ALL=1 (as in CI), so a machine without promtool never passes these tests unseen.
 */
const describeWithPromtool: jest.Describe =
  promtoolVersion() !== undefined || everythingRequired() ? describe : skipWithWarning();

function skipWithWarning(): jest.Describe {
  process.emitWarning(
    'Alerting rule tests skipped: no promtool on PATH (apt-get install --no-install-recommends prometheus)',
  );
  return describe.skip;
}

/** A heading's anchor as GitHub makes it (and as the docs' link check reads it). */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describeWithPromtool('the alerting rules, by promtool', () => {
  it('are valid Prometheus rules (promtool check rules)', () => {
    expect(promtool('check', 'rules', RULES)).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it('fire each alert on its attack and hold it back on every near miss (promtool test rules)', () => {
    expect(promtool('test', 'rules', RULE_TESTS)).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });
});

describe('the alerting rules and their tests', () => {
  const cases = ruleTests.tests.flatMap((test) => test.alert_rule_test ?? []);

  it('test the rules file itself', () => {
    expect(ruleTests.rule_files).toEqual([RULES]);
    expect(alerts.length).toBeGreaterThan(0);
  });

  it.each(alerts.map((rule) => rule.alert))('test %s both firing and held back', (name) => {
    const ofAlert = cases.filter((test) => test.alertname === name);
    expect({
      fires: ofAlert.some((test) => (test.exp_alerts ?? []).length > 0),
      heldBack: ofAlert.some((test) => (test.exp_alerts ?? []).length === 0),
    }).toEqual({ fires: true, heldBack: true });
  });

  it('name only alerts that exist', () => {
    const names = new Set(alerts.map((rule) => rule.alert));
    expect(cases.map((test) => test.alertname).filter((name) => !names.has(name))).toEqual([]);
  });

  it.each(alerts.map((rule) => [rule.alert, rule] as const))(
    'give %s a severity, a summary, a first step for the on-call person and a runbook section that exists',
    (_name, rule) => {
      expect(rule.labels?.severity).toMatch(/^(warning|critical)$/);
      expect(rule.annotations?.summary).toEqual(expect.any(String));
      expect(rule.annotations?.description).toContain('First step:');
      const [page, anchor] = (rule.annotations?.runbook ?? '').split('#') as [string, string | undefined];
      expect(page).toBe(RUNBOOK_PAGE);
      expect(existsSync(join(WORKSPACE_ROOT, page))).toBe(true);
      const headings = [
        ...readFileSync(join(WORKSPACE_ROOT, page), 'utf8').matchAll(/^#{1,6}\s+(.+?)\s*$/gm),
      ];
      expect(headings.map(([, heading]) => anchorOf(heading!))).toContain(anchor);
    },
  );
});
