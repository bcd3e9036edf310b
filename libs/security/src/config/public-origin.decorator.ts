import { registerDecorator, ValidateIf, type ValidationArguments } from 'class-validator';

/**
 * A config field naming the public origin of the site (`https://runnerly.example`): what a browser shows and
 * what links sent to users must open. Required in production, optional elsewhere (the caller supplies the
 * development default). An origin only: `http(s)://host[:port]`, nothing after, so a link built on it with
 * `new URL(path, origin)` lands exactly on `path` of that site.
 */
export function PublicOrigin(): PropertyDecorator {
  return (target, propertyName) => {
    ValidateIf(
      (config: { NODE_ENV?: string }, value: unknown) =>
        value !== undefined || config.NODE_ENV === 'production',
    )(target, propertyName);
    registerDecorator({
      name: 'publicOrigin',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isOrigin(value),
        defaultMessage: (args: ValidationArguments) =>
          args.value === undefined
            ? 'required in production'
            : 'must be an origin: http(s)://host[:port], with no path, query or fragment',
      },
    });
  };
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}
