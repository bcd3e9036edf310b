import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { runCommand } from '@runnerly/security';
import { runUsersCli } from './cli/users-cli';

runCommand(() =>
  runUsersCli(process.argv.slice(2), {
    env: process.env,
    readStdin: () => readFileSync(0, 'utf8'),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }),
);
