// Run after the build: checks what the browser will actually load, which the compiler cannot see.
// - Every import is relative and ends in `.js`: there is no bundler and no import map, so a bare name
//   ('lit') or an extensionless path ('./dom') compiles fine and then fails with a 404 in the browser.
// - Every imported file exists.
// - index.html carries exactly one script, the nonce'd module, and no inline style.
// - No HTML-parsing sink slipped into the output (Trusted Types would make it throw at run time).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');
const assets = join(dist, 'assets');
const problems = [];

const scripts = readdirSync(assets, { recursive: true, encoding: 'utf8' }).filter((name) =>
  name.endsWith('.js'),
);
if (!scripts.includes('main.js')) problems.push('dist/assets/main.js is missing');

const importPattern = /\b(?:from|import)\s*\(?\s*(['"])([^'"]+)\1/g;
const sinks = ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function'];
for (const name of scripts) {
  const file = join(assets, name);
  const code = readFileSync(file, 'utf8');
  for (const match of code.matchAll(importPattern)) {
    const specifier = match[2];
    const where = `${relative(dist, file)}: import '${specifier}'`;
    if (!specifier.startsWith('./') && !specifier.startsWith('../'))
      problems.push(`${where} is not relative`);
    else if (!specifier.endsWith('.js')) problems.push(`${where} does not end in .js`);
    else if (!existsSync(resolve(dirname(file), specifier))) problems.push(`${where} does not exist`);
  }
  for (const sink of sinks) if (code.includes(sink)) problems.push(`${relative(dist, file)} uses ${sink}`);
}

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scriptTags = html.match(/<script\b[^>]*>/g) ?? [];
const expected = '<script type="module" nonce="__CSP_NONCE__" src="/assets/main.js">';
if (scriptTags.length !== 1 || scriptTags[0] !== expected) {
  problems.push(`index.html must have exactly one script, ${expected}`);
}
if (/<style\b|\sstyle\s*=/i.test(html)) problems.push('index.html has inline style');
if (!existsSync(join(assets, 'app.css'))) problems.push('dist/assets/app.css is missing');

if (problems.length > 0) {
  console.error(`apps/web/dist is not fit to serve:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`apps/web/dist: ${scripts.length} modules, imports and index.html checked`);
