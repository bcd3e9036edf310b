import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream, type LevelWithSilent, type SerializerFn } from 'pino';
import { type Options } from 'pino-http';
import pretty from 'pino-pretty';
import { AuditLog } from './audit-log.service';
import { REDACTION_CENSOR, redactSecrets } from './redaction';
import { toLoggedError } from './safe-error';

export interface LoggingOptions {
  /** Added to every line as `service`, so merged logs of the stack stay readable. */
  service: string;
  level: LevelWithSilent;
  /** `pretty` for a terminal, `json` (default) for everything that reads logs. */
  format?: 'json' | 'pretty';
  /** Where lines go. Default: stdout. Tests pass a stream to assert on log lines. */
  destination?: DestinationStream;
  /** Fields added to every line, computed as it is written (the active trace and span, when tracing is on). */
  mixin?: () => Record<string, string>;
}

/**
 * Structured JSON logs (pino) with credentials redacted, one access-log line per request carrying the
 * request id, and the AuditLog. Global: every module can inject `AuditLog` and Nest's `Logger`.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [httpLoggerOptions(options), destinationOf(options)],
          // nestjs-pino's default route, `{/*splat}`, matches only `/` under Nest 12 on Fastify: without
          // this, no request would get an access-log line or a request-scoped logger (no requestId).
          forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
        }),
      ],
      providers: [AuditLog],
      exports: [AuditLog],
    };
  }
}

function httpLoggerOptions(options: LoggingOptions): Options<IncomingMessage, ServerResponse> {
  return {
    level: options.level,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.mixin ? { mixin: options.mixin } : {}),
    formatters: {
      level: (label) => ({ level: label }),
      // Credentials are redacted (redaction.ts) from what a child logger binds, every argument of every log
      // call (the object and any value a format string interpolates), and what each serializer writes.
      bindings: (bindings) => redactSecrets(bindings, SERIALIZED_KEYS),
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, redactArguments(args));
      },
      // JSON escapes CR and LF in strings, but not U+2028/U+2029, which some log viewers break lines on: a
      // value holding one could end a line early and forge the next one.
      streamWrite: escapeLineSeparators,
    },
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    // Inside Nest middleware `req.url` is relative to the mount path; `originalUrl` is the request's own.
    autoLogging: {
      ignore: (req) =>
        ((req as { originalUrl?: string }).originalUrl ?? req.url)?.startsWith('/health/') ?? false,
    },
    // A 500 is a bug; any other refusal, a 502/503/504 included, is an answer the service chose (an
    // upstream's outage passed on by the gateway is not the gateway's error).
    customLogLevel: (_req, res, err) =>
      res.statusCode === 500 ? 'error' : err || res.statusCode >= 400 ? 'warn' : 'info',
    // pino-http puts an error on every 5xx line, a made-up "failed with status code 503" with a stack of
    // its own frames when the request had none: one stack trace per upstream 5xx, noise that hides real
    // errors. The error behind a 5xx is logged once, with its stack, by SafeExceptionFilter.
    customErrorObject: (_req, _res, _error, { err: _noise, ...line }: Record<string, unknown>) => line,
    serializers: Object.fromEntries(
      Object.entries(SERIALIZERS).map(([key, serialize]) => [
        key,
        (value: unknown): unknown => redactSecrets(serialize(value)),
      ]),
    ),
  };
}

/**
 * The values of an OAuth 2.0 authorization answer in a query string (`?code=…&state=…`, the OpenID Connect callback)
 * are replaced: a code is single use and bound to PKCE, but a log is no place for one.
 */
const AUTHORIZATION_ANSWER_PARAMETER = /([?&](?:code|state)=)[^&#]*/g;

function withoutAuthorizationAnswer(url: string): string {
  return url.includes('?') ? url.replace(AUTHORIZATION_ANSWER_PARAMETER, `$1${REDACTION_CENSOR}`) : url;
}

/** Only what an operator needs: headers and bodies may hold credentials, so they are left out. */
const SERIALIZERS: Record<string, SerializerFn> = {
  // Errors through an allowlist of fields: never the parameters or the row a database error carries.
  err: toLoggedError,
  error: (error: unknown) => toLoggedError(error),
  // pino-http hands serializers a wrapper whose `raw` is the request Fastify's middleware engine gave the
  // client IP it derived (from the socket and the trusted proxy hops).
  req: (req: { method?: string; url?: string; raw?: IncomingMessage & { ip?: string } }) => ({
    method: req.method,
    url: req.url === undefined ? undefined : withoutAuthorizationAnswer(req.url),
    ip: req.raw?.ip,
  }),
  res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
};

/** The keys with a serializer: their raw values (a whole request) are not walked, their output is. */
const SERIALIZED_KEYS: ReadonlySet<string> = new Set(Object.keys(SERIALIZERS));

/** An Error is left to the `err` serializer, which writes an allowlist of its fields. */
function redactArguments<T extends unknown[]>(args: T): T {
  return args.map((arg, index) =>
    arg instanceof Error ? arg : redactSecrets(arg, index === 0 ? SERIALIZED_KEYS : undefined),
  ) as T;
}

function escapeLineSeparators(line: string): string {
  return line.replace(/[\u2028\u2029]/g, (separator) => (separator === '\u2028' ? '\\u2028' : '\\u2029'));
}

function destinationOf(options: LoggingOptions): DestinationStream {
  if (options.destination) return options.destination;
  if (options.format === 'pretty')
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return pino.destination({ fd: 1, sync: false });
}
