import { registerDecorator, type ValidationArguments } from 'class-validator';

/** The config fields the rule reads besides the URL itself. */
interface InternalConnectionConfig {
  NODE_ENV?: string;
  ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS?: boolean;
}

/**
 * A URL of an internal connection (PostgreSQL, Redis) that production refuses in plaintext: on a network between
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
          if (typeof value !== 'string') return true; // absent or not a string: the field's other rules say so
          try {
            return encrypted(new URL(value));
          } catch {
            return true; // not a URL: the field's format rule says so
          }
        },
        defaultMessage: () =>
          `plaintext in production: ${requirement}, or set ALLOW_PLAINTEXT_INTERNAL_CONNECTIONS=true ` +
          'for a connection that never leaves the host',
      },
    });
  };
}
