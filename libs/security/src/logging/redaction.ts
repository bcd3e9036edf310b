/**
 * Paths pino replaces with "[REDACTED]" in every log line, whatever a developer passes to the logger.
 * Request logs carry no headers or bodies at all (see the serializers); this is the second line.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  ...[
    'password',
    'currentPassword',
    'newPassword',
    'passwordHash',
    'refreshToken',
    'accessToken',
    'token',
    'clientSecret',
    'client_secret',
    'secret',
    'privateKey',
    'authorization',
  ].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

export const REDACTION_CENSOR = '[REDACTED]';
