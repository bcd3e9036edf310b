/**
 * The response headers of every answer of every service, whatever produced it: a handler, the
 * framework's own errors before routing, or a connection-level refusal written straight to the socket.
 * A JSON API needs few browser protections, but a response rendered by a browser by mistake (or framed,
 * or sniffed as HTML) must not become a cross-site scripting or clickjacking vector (OWASP API8).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** The API serves JSON, not pages: its CSP allows nothing at all. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** The API explorer under the docs path loads its own scripts and styles. */
export const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
