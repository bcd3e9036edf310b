import { randomBytes } from 'node:crypto';

/** Where browsers post the reports of what a page's CSP blocked (see cspViolationFrom). */
export const CSP_REPORT_PATH = '/api/csp-reports';

/** A fresh CSP nonce: 128 random bits, new for every page served, so an injected tag cannot guess it. */
export function newCspNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The Content Security Policy of the web client's pages: a strict, nonce-based policy (the shape the CSP
 * Level 3 spec and OWASP's CSP cheat sheet recommend over host allowlists), which stops injected markup
 * from running script even where the client's code makes a mistake:
 *
 * - `script-src 'nonce-…' 'strict-dynamic'`: only the page's one module script, which carries this response's
 *   nonce, and the modules it imports. No inline script, no `on…=` handler, no `javascript:` URL, no eval.
 * - `require-trusted-types-for 'script'` and `trusted-types 'none'`: where the browser supports Trusted Types,
 *   every DOM sink that parses HTML or script from a string (`innerHTML`, `insertAdjacentHTML`, ...) throws.
 *   The client builds its DOM from elements and text only, so it needs no policy at all.
 * - Styles, images, fetches and form targets from the page's own origin only; no plugins (`object-src`), no
 *   `<base>` rewriting, and no site may frame the page (`frame-ancestors 'none'`, clickjacking).
 * - Violations are reported to CSP_REPORT_PATH (`report-uri`: delivered at once, where the Reporting API's
 *   `report-to` batches them for up to a minute).
 */
export function pageContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
    `report-uri ${CSP_REPORT_PATH}`,
  ].join('; ');
}

/** Powerful browser features the client never uses, off for its pages and anything they might embed. */
export const PAGE_PERMISSIONS_POLICY =
  'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), hid=(), ' +
  'midi=(), display-capture=(), browsing-topics=()';

/** One CSP violation as an operator needs it: never the sample (it may hold user data) or a query string. */
export interface CspViolation {
  directive: string;
  blocked: string;
  page: string;
}

const MAX_FIELD_LENGTH = 200;

/**
 * Reads a violation report in either format browsers send: `application/csp-report` (`report-uri`) or
 * `application/reports+json` (the Reporting API's array). Undefined when the body is neither.
 */
export function cspViolationFrom(body: unknown): CspViolation | undefined {
  const legacy = objectAt(body, 'csp-report');
  if (legacy !== undefined) {
    return violation(
      legacy['effective-directive'] ?? legacy['violated-directive'],
      legacy['blocked-uri'],
      legacy['document-uri'],
    );
  }
  const first: unknown = Array.isArray(body) ? body[0] : undefined;
  const report = objectAt(first, 'body');
  if (report === undefined || (first as { type?: unknown }).type !== 'csp-violation') return undefined;
  return violation(report.effectiveDirective, report.blockedURL, report.documentURL);
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : undefined;
}

function violation(directive: unknown, blocked: unknown, page: unknown): CspViolation | undefined {
  if (typeof directive !== 'string' || directive === '') return undefined;
  return { directive: bounded(directive), blocked: withoutQuery(blocked), page: withoutQuery(page) };
}

/** `inline`, `eval`, `trusted-types-sink` stay as they are; a URL keeps its origin and path only. */
function withoutQuery(value: unknown): string {
  if (typeof value !== 'string') return '';
  try {
    const url = new URL(value);
    return bounded(`${url.origin}${url.pathname}`);
  } catch {
    return bounded(value);
  }
}

function bounded(text: string): string {
  // eslint-disable-next-line no-control-regex -- the report is the browser's, its fields are the client's
  return text.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_FIELD_LENGTH);
}
