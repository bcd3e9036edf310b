import { registerDecorator, type ValidationArguments } from 'class-validator';

/** The config fields the rule reads besides the URL itself. */
interface InternalConnectionConfig {
  NODE_ENV?: string;
  ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS?: boolean;
}

/**
 * A URL (or a list of URLs) of an internal connection (PostgreSQL, Redis, another service) that production
 * refuses in plaintext: on a network between
 * hosts, anyone in the path reads the passwords, tokens and personal data that pass, or answers in the
 * datastore's place. `encrypted(url)` says whether the URL asks for TLS with the server's certificate checked;
 * `requirement` tells the operator what to write instead. `ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS=true` lifts the
 * rule, for a datastore that is reached without leaving the host. Outside production anything goes.
 */
export function EncryptedInProduction(
  encrypted: (url: URL) => boolean,
  requirement: string,
): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'encryptedInProduction',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const config = args.object as InternalConnectionConfig;
          if (config.NODE_ENV !== 'production' || config.ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS === true)
            return true;
          // A list of URLs (the gateway's instances of a service): every one of them.
          const urls = Array.isArray(value) ? (value as unknown[]) : [value];
          return urls.every((url) => {
            if (typeof url !== 'string') return true; // absent or not a string: the field's other rules say so
            try {
              return encrypted(new URL(url));
            } catch {
              return true; // not a URL: the field's format rule says so
            }
          });
        },
        defaultMessage: () =>
          `plaintext in production: ${requirement}, or set ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS=true ` +
          'for a connection that never leaves the host',
      },
    });
  };
}

/** The test of an https:// URL, for the service URLs. */
export const isHttps = (url: URL): boolean => url.protocol === 'https:';
