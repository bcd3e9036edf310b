import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The workspace root, where `git ls-files` lists the docs. */
export const WORKSPACE_ROOT = join(__dirname, '../../../..');

/** Every tracked Markdown file a reader meets (the generator's template is checked in the service it makes). */
export function markdownFiles(): string[] {
  return trackedFiles('*.md').filter((file) => !file.startsWith('tools/service-generator/template/'));
}

/** Tracked files matching a git pathspec, relative to the workspace root. */
export function trackedFiles(pattern: string): string[] {
  return execFileSync('git', ['ls-files', pattern], { cwd: WORKSPACE_ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

export function readWorkspaceFile(file: string): string {
  return readFileSync(join(WORKSPACE_ROOT, file), 'utf8');
}

/** The prose of a Markdown text: fenced blocks blanked out (line numbers kept), so only sentences remain. */
export function proseOf(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '));
}

/** The 1-based line of an index in a text. */
export function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The anchors GitHub gives a file's headings: lower-cased, punctuation dropped, spaces as hyphens. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of proseOf(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let anchor = base;
    for (let repeat = 1; anchors.has(anchor); repeat += 1) anchor = `${base}-${repeat}`;
    anchors.add(anchor);
  }
  return anchors;
}
