import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import {
  headingAnchors,
  lineAt,
  markdownFiles,
  proseOf,
  readWorkspaceFile,
  trackedFiles,
  WORKSPACE_ROOT,
} from './support/markdown';
import { hasTitle, testTitleClaims } from './support/test-title-claims';

// The docs prove their claims by naming tests ("proved by "…" in x.e2e-spec.ts") and by linking to code. A
// renamed test, a moved file or a renamed heading would leave a proof that points at nothing; these specs fail
// instead, naming the line.

const docs = markdownFiles();
const specFiles = trackedFiles('*spec.ts');

describe.each(docs)('%s', (doc) => {
  const markdown = readWorkspaceFile(doc);

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const link of proseOf(markdown).matchAll(/\]\(([^)\s]+)\)/g)) {
      const [path, anchor] = link[1]!.split('#') as [string, string | undefined];
      if (/^[a-z]+:/.test(path)) continue;
      const target = path === '' ? doc : normalize(join(dirname(doc), decodeURI(path)));
      const where = `line ${lineAt(markdown, link.index)}: ${link[1]}`;
      if (!existsSync(join(WORKSPACE_ROOT, target))) broken.push(`${where} (no such file)`);
      else if (anchor && target.endsWith('.md') && !headingAnchors(readWorkspaceFile(target)).has(anchor))
        broken.push(`${where} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });

  it('quotes only test titles that exist, in the spec file it names', () => {
    const wrong = testTitleClaims(doc, markdown, specFiles)
      .filter(
        (claim) =>
          !claim.specFiles.some(
            (file) =>
              existsSync(join(WORKSPACE_ROOT, file)) && hasTitle(readWorkspaceFile(file), claim.title),
          ),
      )
      .map(
        (claim) =>
          `line ${claim.line}: "${claim.title.replace(/\s+/g, ' ')}" is not in ${claim.specFiles.join(' or ') || 'any spec file of that name'}`,
      );
    expect(wrong).toEqual([]);
  });
});

describe('the check of quoted test titles', () => {
  const spec = `
    describe('with a service token', () => {
      it('deletes every run of that user', async () => {});
      it.each([['a', 1]])('refuses %s with %i and deletes nothing', async () => {});
    });`;

  it.each([
    ['the title as written', 'deletes every run of that user'],
    ['a title as it.each fills it in', 'refuses no token with 401 and deletes nothing'],
    ['a title with its placeholders', 'refuses %s with %i and deletes nothing'],
    ['the describe name and the title', 'with a service token deletes every run of that user'],
    ['a title shortened with …', 'deletes every run…'],
  ])('finds %s', (_case, title) => {
    expect(hasTitle(spec, title)).toBe(true);
  });

  it.each([
    ['a renamed title', 'deletes all runs of that user'],
    ['a title shortened without saying so', 'deletes every run'],
    ['a lone placeholder', '%s'],
  ])('refuses %s', (_case, title) => {
    expect(hasTitle(spec, title)).toBe(false);
  });

  it('reads both forms of a claim, and ignores a quote that names no spec file', () => {
    const markdown = [
      'Proved by "first title" and "second title" in [`purge.e2e-spec.ts`](../apps/runs/e2e/purge.e2e-spec.ts).',
      '`runs/purge.e2e-spec.ts`: "third title". The log says "an error message".',
    ].join('\n');
    expect(testTitleClaims('docs/x.md', markdown, ['apps/runs/e2e/purge.e2e-spec.ts'])).toEqual([
      { title: 'first title', specFiles: ['apps/runs/e2e/purge.e2e-spec.ts'], line: 1 },
      { title: 'second title', specFiles: ['apps/runs/e2e/purge.e2e-spec.ts'], line: 1 },
      { title: 'third title', specFiles: ['apps/runs/e2e/purge.e2e-spec.ts'], line: 2 },
    ]);
  });
});
