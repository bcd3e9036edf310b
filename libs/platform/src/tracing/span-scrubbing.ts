import { type Attributes, type AttributeValue } from '@opentelemetry/api';
import { type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';

export const SCRUBBED = '[REDACTED]';

/** Header attributes (`http.request.header.*`) are never captured here; if one appears, its value goes. */
const HEADER_ATTRIBUTE = /^http\.(request|response)\.header\./;
/** An attribute named after a credential keeps its name, never its value. */
const CREDENTIAL_ATTRIBUTE = /authorization|cookie|token|password|passphrase|secret|api[._-]?key/i;
/** Attributes that hold a URL or a path: a query string can carry anything a client puts in it. */
const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'url.full',
  'url.path',
  'url.original',
  'http.url',
  'http.target',
]);
const QUERY_ATTRIBUTE = 'url.query';
/** A JSON Web Token (an access or service token) anywhere in a string: header and payload are base64url JSON. */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g;

/**
 * The value an attribute may keep. Spans leave the process for a collector that operators, vendors and
 * dashboards read, so they are held to the same rule as logs: no credential, no query parameter value.
 * Names stay (which parameters a request had is useful; what they said may be a token or an email).
 */
export function scrubbedValue(key: string, value: AttributeValue): AttributeValue {
  if (HEADER_ATTRIBUTE.test(key) || CREDENTIAL_ATTRIBUTE.test(key)) return SCRUBBED;
  if (typeof value !== 'string') return value;
  if (key === QUERY_ATTRIBUTE) return parameterNamesOf(value);
  const scrubbed = URL_ATTRIBUTES.has(key) ? withoutQuery(value) : value;
  return scrubbed.replace(JWT, SCRUBBED);
}

/** The attributes that `scrubbedValue` changes, with their new values; empty when all are safe. */
export function scrubbedAttributes(attributes: Attributes): Attributes {
  const changed: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const safe = scrubbedValue(key, value);
    if (safe !== value) changed[key] = safe;
  }
  return changed;
}

/** `?weeks=4&from=…` becomes `weeks=[REDACTED]&from=[REDACTED]`. */
function parameterNamesOf(query: string): string {
  const names = [...new URLSearchParams(query.replace(/^\?/, '')).keys()];
  return names.map((name) => `${name}=${SCRUBBED}`).join('&');
}

function withoutQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * The safety net behind the instrumentations' own options: every span's attributes pass `scrubbedValue`
 * while the span is ending (`onEnding`, when it can still be changed), before any exporter sees it.
 * Registered before the exporting processor.
 */
export class ScrubbingSpanProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    span.setAttributes(scrubbedAttributes(span.attributes));
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
