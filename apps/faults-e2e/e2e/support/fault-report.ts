import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@runnerly/testing';

/** Where the figures of the last run go: the reliability chapter's table is this file, never typed by hand. */
export const FAULT_REPORT = join(WORKSPACE_ROOT, 'docs', 'reference', 'fault-suite-results.md');

/** What one fault did to the clients, as measured. Times are seconds, to one decimal. */
export interface FaultResult {
  fault: string;
  acknowledged: number;
  /** Error answers by status, e.g. { 503: 4, 502: 1 }. */
  errorAnswers: Record<string, number>;
  /** Attempts that got no answer at all: connection refused or reset, or no answer within 10 s. */
  unanswered: number;
  /** Account reads (GET /api/users/me) sent, and how many failed (an error answer or none). */
  reads: number;
  readsFailed: number;
  /** The longest time without an acknowledged write, while the fault lasted. */
  longestGapSeconds: number;
  /** From the fault to the component running and healthy again. */
  backAfterSeconds: number;
  /** From the component being back to the next acknowledged write. */
  firstWriteAfterSeconds: number | undefined;
  lost: number;
  storedTwice: number;
}

/** Milliseconds as seconds to one decimal. */
export const seconds = (ms: number): number => Math.round(ms / 100) / 10;

/** Writes the results as a Markdown table, with the date and what was measured. */
export function writeFaultReport(results: readonly FaultResult[]): void {
  const rows = results.map((r) =>
    [
      r.fault,
      r.acknowledged,
      Object.entries(r.errorAnswers)
        .map(([status, count]) => `${status} ×${count}`)
        .join(', ') || 'none',
      r.unanswered,
      `${r.reads} / ${r.readsFailed}`,
      r.longestGapSeconds,
      r.backAfterSeconds,
      r.firstWriteAfterSeconds ?? 'never',
      r.lost,
      r.storedTwice,
    ].join(' | '),
  );
  writeFileSync(
    FAULT_REPORT,
    [
      '# Fault suite: the last run',
      '',
      `Written by \`apps/faults-e2e\` (\`npm test -- --selectProjects faults-e2e\`) on ${new Date().toISOString().slice(0, 10)}; ` +
        'do not edit by hand. Two clients record runs through the gateway of the compose stack, each run under an ' +
        'idempotency key and retried with it until acknowledged, and a third reads their accounts (`GET /api/users/me`, ' +
        'never retried by the client), while one component at a time is crashed ' +
        '(SIGKILL; Docker restarts it) or stopped for 5 s. Times in seconds. What each column means: ' +
        '[explanation/reliability.md](../explanation/reliability.md#the-fault-suite).',
      '',
      '| fault | writes acknowledged | error answers | no answer | account reads / failed | longest time without a write | back healthy after | first write after that | acknowledged writes lost | stored twice |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map((row) => `| ${row} |`),
      '',
    ].join('\n'),
  );
}
