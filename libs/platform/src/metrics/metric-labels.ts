import { AuditEvent } from '@runnerly/security';

/** The `route` of a request no route matched: a 404 of an unknown path is never labelled with the path. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The `route` label: the route template as registered (`/api/runs/:id`), never the path the client sent.
 * A label value per raw path, id or user would make a new time series per request: an attacker could
 * exhaust the metrics' memory, and no alert could aggregate them (unbounded cardinality).
 */
export function routeLabelOf(routeTemplate: string | undefined): string {
  return routeTemplate || UNMATCHED_ROUTE;
}

/** The `reason` of an event whose free-text reason is not classified. */
export const NO_REASON = 'none';

/** What a free-text audit reason may become as a `reason` label, per event: every other event has `none`. */
export const SECURITY_EVENT_REASONS = {
  [AuditEvent.LoginFailed]: ['unknown_account', 'wrong_password', 'other'],
  [AuditEvent.TokenRejected]: ['missing', 'expired', 'session_ended', 'invalid', 'other'],
} as const;

type TokenRejection = (typeof SECURITY_EVENT_REASONS)[typeof AuditEvent.TokenRejected][number];

/**
 * Why a presented token was refused, from the messages of passport-jwt, jsonwebtoken and our own checks
 * (JwtAuthGuard records them as the reason). `invalid` is a forgery or a bug: a bad signature, algorithm,
 * key id, header or claim, or a malformed token; `other` is anything unforeseen (a key lookup that failed).
 */
const TOKEN_REJECTIONS: readonly (readonly [RegExp, TokenRejection])[] = [
  [/^(No auth token|jwt must be provided)$/, 'missing'],
  [/^(jwt expired|maxAge exceeded)$/, 'expired'],
  [/^session ended$/, 'session_ended'],
  [
    /^(jwt malformed|jwt must be a string|invalid token|invalid signature|jwt signature is required|invalid algorithm|invalid (nbf|exp) value|jwt not active|Unknown key id|Unauthorized)$/,
    'invalid',
  ],
  [/^jwt (audience|issuer|subject|jwtid|nonce) invalid\./, 'invalid'],
  [/^Token is not a compact JWS|^Token header breaks the rule: /, 'invalid'],
];

/**
 * The bounded `reason` label of an audit event. Audit reasons are free text (and may quote what a client
 * sent), so they are never a label as they are: each is mapped to one of SECURITY_EVENT_REASONS.
 */
export function securityEventReasonOf(event: string, reason: string | undefined): string {
  if (event === AuditEvent.LoginFailed) {
    if (reason === 'unknown account') return 'unknown_account';
    return reason?.startsWith('wrong password') ? 'wrong_password' : 'other';
  }
  if (event === AuditEvent.TokenRejected) {
    return TOKEN_REJECTIONS.find(([pattern]) => pattern.test(reason ?? ''))?.[1] ?? 'other';
  }
  return NO_REASON;
}
