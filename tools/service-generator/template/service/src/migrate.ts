// `node migrate.js` in the __name__ image: applies the pending migrations, then exits (libs/database/src/migrate).
import 'reflect-metadata';
import { runMigrateCli } from '@runnerly/database';
import { runCommand } from '@runnerly/security';
import { __NAME___MIGRATIONS } from './__name__.module';

runCommand(() =>
  runMigrateCli('__name__', __NAME___MIGRATIONS, {
    args: process.argv.slice(2),
    env: process.env,
    err: (line) => process.stderr.write(`${line}\n`),
  }),
);
