import { lineAt } from './markdown';

/** One shell block of a doc, with the output the doc shows for it. */
export interface ShellStep {
  /** The line of the opening fence, to name the step. */
  line: number;
  command: string;
  /** The block right after the command (only blank lines between), or undefined when the doc shows none. */
  expected?: string;
  /** Why the doc tests do not run it, from `<!-- doc-test: skip, <reason> -->` right above the block. */
  skipped?: string;
}

const FENCE = /^(```|~~~)([^\n`]*)\n([\s\S]*?)^\1[ \t]*$/gm;
const SHELL = new Set(['sh', 'bash', 'shell']);
const SKIP = /<!--\s*doc-test:\s*skip,\s*((?:(?!-->)[\s\S])+?)\s*-->\s*$/;

/** The shell blocks of a Markdown text, in order. */
export function shellSteps(markdown: string): ShellStep[] {
  const blocks = [...markdown.matchAll(FENCE)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    language: match[2]!.trim().split(/\s+/)[0] ?? '',
    body: match[3]!,
  }));
  return blocks.flatMap((block, index) => {
    if (!SHELL.has(block.language)) return [];
    const next = blocks[index + 1];
    const shown =
      next && !SHELL.has(next.language) && markdown.slice(block.end, next.start).trim() === ''
        ? next
        : undefined;
    const skipped = SKIP.exec(markdown.slice(0, block.start))?.[1]?.replace(/\s+/g, ' ');
    return [{ line: lineAt(markdown, block.start), command: block.body, expected: shown?.body, skipped }];
  });
}
