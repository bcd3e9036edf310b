// `node migrate.js` in the runs image: applies the pending migrations, then exits (libs/database/src/migrate).
import 'reflect-metadata';
import { runMigrateCli } from '@runnerly/database';
import { runCommand } from '@runnerly/security';
import { RUNS_MIGRATIONS } from './runs.module';

runCommand(() =>
  runMigrateCli('runs', RUNS_MIGRATIONS, {
    args: process.argv.slice(2),
    env: process.env,
    err: (line) => process.stderr.write(`${line}\n`),
  }),
);
