// `npm run backup` and `npm run restore -- <folder>`: encrypted backups of the databases of the stack `npm start`
// runs (which must be running: the embedded PostgreSQL lives as long as the launcher). See tools/dev-stack/README.md.
import './preflight/node-version.guard';
import 'reflect-metadata';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StackBackup } from './backup/stack-backup';
import { loadStackConfig } from './config/stack.config';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const USAGE = `Usage:
  npm run backup [-- --out <new folder>]   default: <state folder>/backups/<UTC date and time>
  npm run restore -- <folder>              restores every <service>.backup in the folder`;

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const hint = /ECONNREFUSED/.test(message) ? ' (is the stack running? Start it with npm start)' : '';
    process.stderr.write(`${message}${hint}\n`);
    process.exit(1);
  },
);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
  const config = loadStackConfig(process.env, {
    repoRoot: REPO_ROOT,
    cwd: process.cwd(),
    stdoutIsTerminal: false,
  });
  const backup = new StackBackup(config, (message) => process.stdout.write(`${message}\n`));
  const [command, folder, ...extra] = positionals;

  if (command === 'create' && folder === undefined) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return backup.create(resolve(values.out ?? join(config.stateDir, 'backups', stamp)));
  }
  if (command === 'restore' && folder !== undefined && extra.length === 0 && values.out === undefined) {
    return backup.restore(resolve(folder));
  }
  throw new Error(USAGE);
}
