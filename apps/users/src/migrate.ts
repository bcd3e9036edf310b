// `node migrate.js` in the users image: applies the pending migrations, then exits (libs/database/src/migrate).
import 'reflect-metadata';
import { runMigrateCli } from '@runnerly/database';
import { runCommand } from '@runnerly/security';
import { USERS_MIGRATIONS } from './users.module';

runCommand(() =>
  runMigrateCli('users', USERS_MIGRATIONS, {
    args: process.argv.slice(2),
    env: process.env,
    err: (line) => process.stderr.write(`${line}\n`),
  }),
);
