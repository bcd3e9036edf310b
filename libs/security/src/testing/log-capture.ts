import { type DestinationStream } from 'pino';
import { type AuditEvent } from '../logging/audit-log.service';

/** One parsed pino line. */
export interface LogLine {
  level?: string;
  msg?: string;
  requestId?: string;
  audit?: { event: string; [detail: string]: unknown };
  [field: string]: unknown;
}

/**
 * A pino destination that keeps every line, parsed, so tests can assert on what a service logs (and
 * on what it never logs). Pass it as `LoggingModule.forRoot({ destination })`.
 */
export class LogCapture implements DestinationStream {
  readonly lines: LogLine[] = [];
  private raw = '';

  write(chunk: string): void {
    this.raw += chunk;
    for (const line of chunk.split('\n')) {
      if (line.trim() === '') continue;
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.lines.push({ msg: line, unparsed: true });
      }
    }
  }

  /** Everything written, unparsed: `expect(logs.text).not.toContain(secret)`. */
  get text(): string {
    return this.raw;
  }

  /** Audit lines, optionally of one event only, in the order they were written. */
  auditEvents(event?: AuditEvent): LogLine[] {
    return this.lines.filter(
      (line) => line.audit !== undefined && (event === undefined || line.audit.event === event),
    );
  }

  /** Lines whose message is `msg`, e.g. pino-http's 'request completed'. */
  withMessage(msg: string): LogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }

  clear(): void {
    this.lines.length = 0;
    this.raw = '';
  }
}
