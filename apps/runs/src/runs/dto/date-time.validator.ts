import {
  buildMessage,
  isISO8601,
  ValidateBy,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';

/** How far in the future a run may start: enough for clocks that disagree a little, no more. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
export const EARLIEST_RUN_START = new Date('1970-01-01T00:00:00.000Z');

/**
 * RFC 3339 date-times (the ISO 8601 profile of the web) with an explicit offset: `2024-05-01T07:30:00Z`,
 * `2024-05-01T09:30:00.250+02:00`. A time without a zone would be read in the server's zone, so the same
 * request could store different instants on different machines.
 */
// eslint-disable-next-line security/detect-unsafe-regex -- only ? and fixed counts are nested: linear time
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The instant a date-time string names, or undefined when it is not an RFC 3339 date-time with a zone. */
export function parseDateTimeWithZone(value: unknown): Date | undefined {
  // The regex fixes the shape; isISO8601 (strict) refuses impossible dates such as 2023-02-29.
  if (
    typeof value !== 'string' ||
    !DATE_TIME_WITH_ZONE.test(value) ||
    !isISO8601(value, { strict: true, strictSeparator: true })
  ) {
    return undefined;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const FORMAT_MESSAGE = '$property must be an ISO 8601 date-time with a timezone, e.g. 2024-05-01T07:30:00Z';

/** A date-time with an explicit timezone (see parseDateTimeWithZone). */
export function IsDateTimeWithZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateTimeWithZone',
      validator: {
        validate: (value) => parseDateTimeWithZone(value) !== undefined,
        defaultMessage: buildMessage((each) => `${each}${FORMAT_MESSAGE}`, options),
      },
    },
    options,
  );
}

/**
 * When a run started: a date-time with a timezone, not before 1970 and not more than MAX_CLOCK_SKEW_MS
 * in the future. Runs that "start" next year would sit on top of every list and skew the totals.
 */
export function IsRunStartTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRunStartTime',
      validator: {
        validate: (value) => problemOfStartTime(value) === undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} ${problemOfStartTime(args?.value) ?? 'is invalid'}`,
      },
    },
    options,
  );
}

function problemOfStartTime(value: unknown): string | undefined {
  const date = parseDateTimeWithZone(value);
  if (date === undefined) return FORMAT_MESSAGE.replace('$property ', '');
  if (date < EARLIEST_RUN_START) return 'must not be before 1970-01-01';
  if (date.getTime() > Date.now() + MAX_CLOCK_SKEW_MS) return 'must not be more than 5 minutes in the future';
  return undefined;
}

/**
 * The other end of a range: this date-time must not be earlier than the one in `property`. Passes when
 * either side is absent or malformed, which the fields' own validators report.
 */
export function IsNotBefore(property: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotBefore',
      constraints: [property],
      validator: {
        validate: (value, args) => {
          const end = parseDateTimeWithZone(value);
          const start = parseDateTimeWithZone(
            (args?.object as Record<string, unknown> | undefined)?.[property],
          );
          return end === undefined || start === undefined || start <= end;
        },
        defaultMessage: buildMessage((each) => `${each}$property must not be before $constraint1`, options),
      },
    },
    options,
  );
}
