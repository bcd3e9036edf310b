import { type MessageFormatFunc, prettyFactory } from 'pino-pretty';
import { SERVICE_NAMES } from '@runnerly/platform';

export type OutputStream = 'stdout' | 'stderr';

// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

/**
 * A line a process wrote, as a log record. The services write pino JSON lines, which are kept as they are
 * (`unchanged`: they can be passed on byte for byte). Anything else (a Node warning, a crash's stack
 * trace, PostgreSQL's output) is wrapped into a record of its own, so that the merged output of the stack
 * stays one JSON object per line, each saying where it came from.
 */
export function toLogRecord(
  service: string,
  line: string,
  stream: OutputStream,
  now: Date = new Date(),
): { record: Record<string, unknown>; unchanged: boolean } {
  const parsed = parseJsonObject(line);
  if (parsed === undefined) {
    const level = stream === 'stderr' ? 'error' : 'info';
    // Nest's own console logger, used before a service's JSON logger exists, colours its lines.
    const msg = line.replace(ANSI_ESCAPE, '');
    return { record: { level, time: now.toISOString(), service, msg }, unchanged: false };
  }
  if (typeof parsed.service === 'string') return { record: parsed, unchanged: true };
  return { record: { ...parsed, service }, unchanged: false };
}

/** The JSON line to pass on for a line a process wrote. */
export function toJsonLine(service: string, line: string, stream: OutputStream, now?: Date): string {
  const { record, unchanged } = toLogRecord(service, line, stream, now);
  return unchanged ? line : JSON.stringify(record);
}

/** Formats log records for a terminal: time, level, `[service]`, the message, other fields on one line. */
export function createPrettyFormatter(options: { colorize: boolean }): (record: object) => string {
  const format = prettyFactory({
    colorize: options.colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    // Shown in the message instead (service, context, the request), or noise in a terminal (pid, hostname).
    ignore: 'pid,hostname,service,context,req,res,responseTime',
    messageFormat: (log, messageKey, _levelLabel, { colors }) => {
      const service = typeof log.service === 'string' ? log.service : 'unknown';
      const label = colors.bold(serviceColor(colors, service)(`[${service}]`));
      const context = typeof log.context === 'string' ? colors.gray(`(${log.context}) `) : '';
      return `${label} ${context}${describeMessage(log, messageKey)}`;
    },
  });
  // pino-pretty ends each line with a newline; the output helper adds its own.
  return (record) => format(record).replace(/\r?\n$/, '');
}

type Colors = Parameters<MessageFormatFunc>[3]['colors'];

const SERVICE_COLORS = ['cyan', 'magenta', 'yellow', 'blue', 'green'] as const;
const KNOWN_SERVICES = [...SERVICE_NAMES, 'postgres', 'dev-stack'];

/** A stable colour per service, so that interleaved lines are told apart at a glance. */
function serviceColor(colors: Colors, service: string): (text: string) => string {
  const known = KNOWN_SERVICES.indexOf(service);
  const index = known >= 0 ? known : [...service].reduce((sum, char) => sum + char.charCodeAt(0), 0);
  return colors[SERVICE_COLORS[index % SERVICE_COLORS.length]!];
}

/** An access-log line reads better as `GET /api/runs 200 (4 ms)` than as "request completed" plus JSON. */
function describeMessage(log: Record<string, unknown>, messageKey: string): string {
  const message = typeof log[messageKey] === 'string' ? (log[messageKey] as string) : '';
  const req = log.req as { method?: unknown; url?: unknown } | undefined;
  const res = log.res as { statusCode?: unknown } | undefined;
  if (typeof req?.method !== 'string' || typeof req.url !== 'string') return message;
  const status = typeof res?.statusCode === 'number' ? ` ${res.statusCode}` : '';
  const duration = typeof log.responseTime === 'number' ? ` (${log.responseTime} ms)` : '';
  const request = `${req.method} ${req.url}${status}${duration}`;
  return message === 'request completed' ? request : `${message}: ${request}`;
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
