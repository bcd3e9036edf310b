/**
 * Whether a command's output is what the doc shows. The doc shows one real run, so what differs on every run
 * matches any value of its kind: ids (UUIDs), times and dates, tokens and JWTs, hashes, durations. Everything
 * else must be the same: status codes, error codes, field names, counts. A doc marks what it leaves out with
 * `…` inside a line, or a line of its own that is `...` or `…` (any number of lines). Two things a reader's
 * terminal hides are not compared: runs of spaces (a table's columns widen with its longest value, which
 * differs between machines) and terminal control sequences (colours, the line erasing of `docker compose`).
 */
export function matchesShownOutput(actual: string, shown: string): boolean {
  return matchLines(linesOf(actual), linesOf(shown).map(linePattern));
}

/** Values that change from run to run, most specific first; each matches any value of its kind. */
const VOLATILE: [kind: string, pattern: string][] = [
  ['uuid', String.raw`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`],
  ['time', String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z`],
  ['date', String.raw`\d{4}-\d\d-\d\d`],
  ['clock', String.raw`\d\d:\d\d:\d\d(?:\.\d+)?`],
  ['jwt', String.raw`eyJ[\w-]*(?:\.[\w-]*){0,2}`],
  ['elapsed', String.raw`\d+m\d+\.\d+s`],
  ['epoch', String.raw`\b1\d{9}\b`],
  ['duration', String.raw`\d+(?:\.\d+)? ?(?:ms|s)\b`],
  // Tokens, secrets, hashes: 16 or more base64url characters with a digit and a letter among them.
  ['token', String.raw`(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{16,}`],
];
// eslint-disable-next-line security/detect-non-literal-regexp -- built from the constant patterns above
const ANY_VOLATILE = new RegExp(VOLATILE.map(([, pattern]) => `(${pattern})`).join('|'), 'g');
const ANY_LINES = Symbol('any lines');
type LinePattern = RegExp | typeof ANY_LINES;

function linePattern(line: string): LinePattern {
  if (line.trim() === '...' || line.trim() === '…') return ANY_LINES;
  let pattern = '';
  let last = 0;
  for (const match of line.matchAll(ANY_VOLATILE)) {
    pattern += literal(line.slice(last, match.index));
    const kind = match.slice(1).findIndex((group) => group !== undefined);
    pattern += `(?:${VOLATILE[kind]![1]})`;
    last = match.index + match[0].length;
  }
  pattern += literal(line.slice(last));
  // The patterns come from the repository's own docs, escaped; this only runs in tests.
  // eslint-disable-next-line security/detect-non-literal-regexp
  return new RegExp(`^${pattern}$`);
}

/** Text as it must appear, except `…`, which stands for anything, and a run of spaces, for any run. */
const literal = (text: string) =>
  text
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, ' +'))
    .join('.*?');

function matchLines(lines: string[], patterns: LinePattern[]): boolean {
  const [pattern, ...rest] = patterns;
  if (pattern === undefined) return lines.length === 0;
  if (pattern === ANY_LINES)
    return lines.some((_, skip) => matchLines(lines.slice(skip), rest)) || matchLines([], rest);
  return lines.length > 0 && pattern.test(lines[0]!) && matchLines(lines.slice(1), rest);
}

/** CSI sequences (ESC [ … letter): colours, cursor moves, line erasing. */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const TERMINAL_CONTROL = /\x1b\[[0-9;?]*[A-Za-z]/g;

function linesOf(text: string): string[] {
  const lines = text
    .replace(TERMINAL_CONTROL, '')
    .split('\n')
    .map((line) => line.trimEnd());
  while (lines[0] === '') lines.shift();
  while (lines.at(-1) === '') lines.pop();
  return lines;
}
