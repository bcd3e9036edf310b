import { type LogFormat } from '../config/stack.config';
import { createPrettyFormatter, type OutputStream, toJsonLine, toLogRecord } from './log-record.formatter';
import { type StackSummary, summaryText } from './stack.summary';

/** The name the launcher's own lines carry in the `service` field. */
export const LAUNCHER = 'dev-stack';

export interface TextSink {
  write(text: string): unknown;
}

export interface LauncherOutputOptions {
  format: LogFormat;
  colorize?: boolean;
  stdout?: TextSink;
  stderr?: TextSink;
  now?: () => Date;
}

/**
 * Everything the launcher shows goes through here (shipped code never uses the console). In a terminal,
 * log lines are pretty-printed with `[service]` on each; anywhere else they are JSON lines, the services'
 * own passed on unchanged, so that `npm start | some-log-tool` works.
 */
export class LauncherOutput {
  readonly format: LogFormat;
  private readonly stdout: TextSink;
  private readonly stderr: TextSink;
  private readonly now: () => Date;
  private readonly pretty: (record: object) => string;

  constructor(options: LauncherOutputOptions) {
    this.format = options.format;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.now = options.now ?? (() => new Date());
    this.pretty = createPrettyFormatter({ colorize: options.colorize ?? false });
  }

  /** A line written by a service, or by PostgreSQL. */
  serviceLine(service: string, line: string, stream: OutputStream): void {
    if (this.format === 'json') {
      this.stdout.write(`${toJsonLine(service, line, stream, this.now())}\n`);
    } else {
      this.stdout.write(`${this.pretty(toLogRecord(service, line, stream, this.now()).record)}\n`);
    }
  }

  /** The launcher's own news; `service` attributes it (PostgreSQL's start and recovery notes, say). */
  info(message: string, service: string = LAUNCHER): void {
    this.record({ level: 'info', service, msg: message });
  }

  warn(message: string, service: string = LAUNCHER): void {
    this.record({ level: 'warn', service, msg: message });
  }

  summary(summary: StackSummary): void {
    if (this.format === 'json') {
      this.record({ level: 'info', service: LAUNCHER, msg: 'Runnerly is up', ...summary });
    } else {
      this.stdout.write(`${summaryText(summary)}\n`);
    }
  }

  /**
   * Why the stack did not start, or stopped: in plain words on stderr whatever the format, followed by
   * the last lines of the process at fault. In JSON mode the log stream gets a `fatal` record too.
   */
  failure(message: string, lastOutput?: { service: string; lines: readonly string[] }): void {
    if (this.format === 'json') this.record({ level: 'fatal', service: LAUNCHER, msg: message });
    const parts = [`\nRunnerly stopped: ${message}`];
    if (lastOutput && lastOutput.lines.length > 0) {
      parts.push(`\nLast output of ${lastOutput.service}:`);
      for (const line of lastOutput.lines) {
        parts.push(
          this.format === 'json'
            ? line
            : this.pretty(toLogRecord(lastOutput.service, line, 'stdout', this.now()).record),
        );
      }
    }
    this.stderr.write(`${parts.join('\n')}\n`);
  }

  private record(fields: { level: string; service: string; msg: string; [field: string]: unknown }): void {
    // pino's field order: level and time first.
    const { level, ...rest } = fields;
    const record = { level, time: this.now().toISOString(), ...rest };
    this.stdout.write(`${this.format === 'json' ? JSON.stringify(record) : this.pretty(record)}\n`);
  }
}
