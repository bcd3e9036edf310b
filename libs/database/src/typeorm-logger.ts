import { Logger } from '@nestjs/common';
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

  // The parameters are the values (emails, hashes, tokens): deliberately never written anywhere.
  logQueryError(error: string | Error, query: string, _parameters?: unknown[]): void {
    this.logger.error(
      { query: query.slice(0, 500), error: error instanceof Error ? error.message : error },
      'Query failed',
    );
  }

  logQuerySlow(time: number, query: string, _parameters?: unknown[]): void {
    this.logger.warn({ query: query.slice(0, 500), durationMs: time }, 'Slow query');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
