// `node backup.js <create|verify|restore>` in a service image (see backup-cli.ts), e.g. in compose:
//   docker compose exec -T users node backup.js create > users.backup
import 'reflect-metadata';
import { runBackupCli } from './backup-cli';

runBackupCli(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
