import { basename, dirname, join, normalize } from 'node:path';
import { lineAt, proseOf } from './markdown';

/** A sentence of the docs saying that a test with this title exists in one of these spec files. */
export interface TestTitleClaim {
  title: string;
  /** The spec files the sentence names (a link resolves to one; a bare file name may match several). */
  specFiles: string[];
  line: number;
}

const QUOTE = String.raw`"[^"]+"`;
const QUOTES = String.raw`${QUOTE}(?:(?:\s*(?:,|;|and|or)\s*)+${QUOTE})*`;
const SPEC_LINK = String.raw`\[[^\]]*\]\(([^)#\s]+[.-]spec\.ts)\)`;
const SPEC_NAME = String.raw`\x60([\w./-]+[.-]spec\.ts)\x60`;
const SPEC = `(?:${SPEC_LINK}|${SPEC_NAME})`;
const SPECS = String.raw`${SPEC}(?:\s*(?:,|and|or)\s*${SPEC})*`;
/** `"A", "B" in [x.spec.ts](…)`: quotes, then the file they are in. */
// eslint-disable-next-line security/detect-non-literal-regexp -- built from the constant patterns above
const QUOTES_THEN_SPECS = new RegExp(
  String.raw`(${QUOTES})\s*(?:\([^)]*\)\s*)?,?\s*(?:in|of|from|by)?\s*(${SPECS})`,
  'g',
);
/** `[x.spec.ts](…): "A", "B"` or a table row `` `x.spec.ts` | "A" ``: the file, then the quotes. */
// eslint-disable-next-line security/detect-non-literal-regexp -- built from the constant patterns above
const SPECS_THEN_QUOTES = new RegExp(String.raw`(${SPECS})\s*(?:—|–|:|,|\|)?\s*(${QUOTES})`, 'g');

/**
 * The test titles a Markdown file quotes next to the spec files that hold them. Quotes elsewhere (an error
 * message, a log line) are not claims about tests and are left alone.
 */
export function testTitleClaims(docFile: string, markdown: string, specFiles: string[]): TestTitleClaim[] {
  const prose = proseOf(markdown).replace(/`[^`\n]*"[^`\n]*`/g, (code) => ' '.repeat(code.length));
  const claims = new Map<number, TestTitleClaim>();
  const add = (quotes: string, quotesAt: number, specs: string) => {
    // eslint-disable-next-line security/detect-non-literal-regexp -- a constant pattern
    const files = [...specs.matchAll(new RegExp(SPEC, 'g'))].flatMap(([, link, name]) =>
      link ? [normalize(join(dirname(docFile), link))] : specFilesNamed(name!, specFiles),
    );
    for (const quote of quotes.matchAll(/"([^"]+)"/g)) {
      const at = quotesAt + quote.index;
      if (!claims.has(at)) claims.set(at, { title: quote[1]!, specFiles: files, line: lineAt(markdown, at) });
    }
  };
  for (const match of prose.matchAll(QUOTES_THEN_SPECS)) add(match[1]!, match.index, match[2]!);
  for (const match of prose.matchAll(SPECS_THEN_QUOTES))
    add(match.at(-1)!, match.index + match[0].lastIndexOf(match.at(-1)!), match[1]!);
  return [...claims.values()].sort((a, b) => a.line - b.line);
}

/** `runs/purge.e2e-spec.ts` names every spec file whose path ends so (or, failing that, with its file name). */
function specFilesNamed(name: string, specFiles: string[]): string[] {
  const byPath = specFiles.filter((file) => file.endsWith(`/${name}`));
  return byPath.length > 0 ? byPath : specFiles.filter((file) => basename(file) === basename(name));
}

/**
 * Whether a spec source has a test (or describe block) with this title. The docs quote a title as written
 * (`%s` placeholders included), a title filled in by `it.each`, a describe name and a title joined by a space,
 * or a shortened title that marks what it leaves out with `…`.
 */
export function hasTitle(specSource: string, title: string): boolean {
  const names = stringLiterals(specSource);
  const quoted = normalizeSpace(title);
  if (names.some((name) => sameTitle(quoted, name))) return true;
  return names.some(
    (outer) =>
      quoted.startsWith(`${outer} `) &&
      names.some((inner) => sameTitle(quoted.slice(outer.length + 1), inner)),
  );
}

function sameTitle(quoted: string, name: string): boolean {
  if (quoted === name || quoted.replaceAll('`', '') === name.replaceAll('`', '')) return true;
  if (quoted.includes('…') && pattern(quoted.split('…').map(escapeRegExp)).test(name)) return true;
  // `it.each` titles: each placeholder stands for a value; a name that is little but placeholders matches nothing.
  const parts = name.split(/%[sdifjopi#%]|\$\{[^}]*\}|\$[A-Za-z_]\w*/);
  return (
    parts.length > 1 &&
    parts.join('').trim().split(' ').length >= 2 &&
    pattern(parts.map(escapeRegExp)).test(quoted)
  );
}

// Parts come from the repository's own docs and specs, escaped; this only runs in tests.
// eslint-disable-next-line security/detect-non-literal-regexp
const pattern = (parts: string[]) => new RegExp(`^${parts.join('.+?')}$`, 's');

function stringLiterals(source: string): string[] {
  return [...source.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)].map(
    (match) => normalizeSpace((match[1] ?? match[2] ?? match[3]!).replace(/\\(.)/g, '$1')),
  );
}

const normalizeSpace = (text: string) => text.replace(/\s+/g, ' ').trim();
const escapeRegExp = (text: string) => text.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
