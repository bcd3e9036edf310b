// The metadata API this file and class-transformer's @Type use; a config schema may be loaded before Nest is.
import 'reflect-metadata';

/** How a secret is judged strong enough for production. */
export type SecretKind =
  /** A random string (signing secret, API key): at least `minLength` characters, not a placeholder. */
  | 'random'
  /** A URL whose password part is the secret (DATABASE_URL, REDIS_URL). */
  | 'url-password'
  /** A PEM-encoded private key; RSA keys must be at least 2048 bits. */
  | 'private-key'
  /** A document (e.g. JSON of OAuth clients) whose strength is checked by its own parser. */
  | 'document';

export interface SecretOptions {
  kind?: SecretKind;
  /** Refuse to start in production when the secret is missing. Default: true. */
  requiredInProduction?: boolean;
  /** For `random` and `url-password` secrets. Defaults: 32 and 16 characters. */
  minLength?: number;
}

export interface SecretField extends Required<SecretOptions> {
  name: string;
}

const SECRET_FIELDS = Symbol('runnerly:secret-fields');

/**
 * Marks a config field as a secret: it may be given as a file (`NAME_FILE`, the Docker and Kubernetes
 * secrets convention), it is redacted from every log line and summary, and in production the service
 * refuses to start when it is missing or weak.
 */
export function Secret(options: SecretOptions = {}): PropertyDecorator {
  return (target, property) => {
    const kind = options.kind ?? 'random';
    const field: SecretField = {
      name: String(property),
      kind,
      requiredInProduction: options.requiredInProduction ?? true,
      minLength: options.minLength ?? (kind === 'url-password' ? 16 : 32),
    };
    const fields: SecretField[] = Reflect.getOwnMetadata(SECRET_FIELDS, target.constructor) ?? [];
    Reflect.defineMetadata(SECRET_FIELDS, [...fields, field], target.constructor);
  };
}

export function secretFieldsOf(schema: abstract new () => object): SecretField[] {
  const fields: SecretField[] = [];
  for (
    let proto = schema.prototype;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    fields.push(
      ...((Reflect.getOwnMetadata(SECRET_FIELDS, proto.constructor) as SecretField[] | undefined) ?? []),
    );
  }
  return fields;
}
