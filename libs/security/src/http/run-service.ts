import { type INestApplication } from '@nestjs/common';
import { ConfigError } from '../config/config-error';

/**
 * Runs a service's start function; if it fails, writes one JSON line to stderr and exits with status 1.
 * A configuration problem is listed variable by variable (never with values), so a refused production
 * start says exactly what to fix.
 */
export function runService(start: () => Promise<INestApplication>): void {
  start().catch((error: unknown) => {
    const line =
      error instanceof ConfigError
        ? { level: 'fatal', msg: 'Refusing to start: invalid configuration', problems: error.problems }
        : {
            level: 'fatal',
            msg: 'The service failed to start',
            error: error instanceof Error ? error.message : String(error),
          };
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
    process.exit(1);
  });
}

/**
 * Runs an operator's command (a CLI in a service image): exits with the status it returns, or, when it throws,
 * writes the error's message (never its stack) to stderr and exits with 1.
 */
export function runCommand(run: () => Promise<number>): void {
  run().then(
    (status) => process.exit(status),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
