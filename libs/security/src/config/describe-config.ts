import { secretFieldsOf } from './secret.decorator';
import { type ConfigSchema } from './load-config';

export const REDACTED = '[REDACTED]';

/** A PEM block anywhere in a value: key material is never printed, whatever field it was put in. */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(-----END \1-----|$)/g;

/**
 * A summary of the effective configuration that is safe to log: secrets are replaced by a marker,
 * except the non-secret parts of a URL secret (host, port, database), which help when debugging, and PEM
 * blocks in any other value are replaced by their type (services log key ids instead).
 */
export function describeConfig<T extends object>(
  schema: ConfigSchema<T>,
  config: T,
): Record<string, unknown> {
  const secrets = new Map(secretFieldsOf(schema).map((field) => [field.name, field]));
  const summary: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(config)) {
    const secret = secrets.get(name);
    if (!secret || value === undefined) summary[name] = withoutKeyMaterial(value);
    else if (secret.kind === 'url-password') summary[name] = redactUrlPassword(String(value));
    else summary[name] = REDACTED;
  }
  return summary;
}

function withoutKeyMaterial(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(PEM_BLOCK, '[$1 REDACTED]') : value;
}

function redactUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return url.toString();
    // Written by hand: URL would percent-encode the marker's brackets.
    return `${url.protocol}//${url.username}:${REDACTED}@${url.host}${url.pathname}${url.search}`;
  } catch {
    return REDACTED;
  }
}
