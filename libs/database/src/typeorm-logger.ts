import { Logger } from '@nestjs/common';
import { statementWithoutValues } from '@runnerly/security';
import { type Logger as TypeOrmLoggerInterface } from 'typeorm';

/**
 * TypeORM's own loggers print failed queries with their parameters to the console, which would put
 * password hashes, emails and tokens in plain sight, outside the redacting logger. This one reports
 * errors and slow queries through the service's logger, with the SQL text (parameterised, so it holds
 * no values) and never the parameters.
 */
export class SafeTypeOrmLogger implements TypeOrmLoggerInterface {
  private readonly logger = new Logger('Database');

  logQuery(): void {}

  // The parameters are the values (emails, hashes, tokens): deliberately never written anywhere. The error
  // goes through the logger's allowlist of error fields (see toLoggedError).
  logQueryError(error: string | Error, query: string, _parameters?: unknown[]): void {
    this.logger.error({ err: error, statement: statementWithoutValues(query) }, 'Query failed');
  }

  logQuerySlow(time: number, query: string, _parameters?: unknown[]): void {
    this.logger.warn({ statement: statementWithoutValues(query), durationMs: time }, 'Slow query');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
