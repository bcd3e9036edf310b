// `node backup.js <create|verify|restore>` in a service image (see backup-cli.ts), e.g. in compose:
//   docker compose exec -T users node backup.js create > users.backup
import 'reflect-metadata';
import { runCommand } from '@runnerly/security';
import { runBackupCli } from './backup-cli';

runCommand(() =>
  runBackupCli(process.argv.slice(2), {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    err: (line) => process.stderr.write(`${line}\n`),
  }),
);
