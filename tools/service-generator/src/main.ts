// `npm run generate:service -- <name>`: adds an internal service to this workspace (see generate-service.ts),
// links it as an npm workspace, and says what to do next.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { SERVICES } from '@runnerly/platform';
import { generateService } from './generate-service';

/** This file runs as tools/service-generator/dist/main.js. */
const ROOT = resolve(__dirname, '../../..');

function main(args: string[]): number {
  const name = args.find((arg) => !arg.startsWith('--'));
  if (!name) {
    process.stderr.write('Usage: npm run generate:service -- <name> [--skip-install]\n');
    return 2;
  }
  let generated;
  try {
    generated = generateService({ root: ROOT, name, services: SERVICES });
  } catch (error) {
    process.stderr.write(`No service generated: ${(error as Error).message}\n`);
    return 1;
  }
  for (const path of generated.created) process.stdout.write(`created  ${path}\n`);
  for (const path of generated.changed) process.stdout.write(`changed  ${path}\n`);
  // npm links the new workspace (node_modules/@runnerly/<name>) and records it in the lockfile.
  if (!args.includes('--skip-install'))
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  process.stdout.write(
    `\n${name} listens on port ${generated.port}, behind the gateway at /api/${name}/items.\n` +
      `Next: npm test -- --selectProjects ${name}, then npm start; replace "items" with your own resource.\n`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
