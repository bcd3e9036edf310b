import fc, { type Arbitrary } from 'fast-check';

const pad = (value: number, digits: number) => String(Math.abs(value)).padStart(digits, '0');

/**
 * Instants at and just past the limits that matter: PostgreSQL's timestamptz starts at 4713-11-24 BC
 * (ISO year -4712) and ends in 294276 AD; JavaScript's Date spans ±8.64e15 ms around 1970 (-271821 to
 * +275760); year 0000 exists in ISO 8601 but not in PostgreSQL's BC/AD years; the Unix epoch.
 */
export const EDGE_DATE_TIMES = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '-000001-12-31T23:59:59.999Z',
  '-004712-11-24T00:00:00.000Z',
  '-004712-11-23T23:59:59.999Z',
  '-004713-01-01T00:00:00Z',
  '-271821-04-20T00:00:00.000Z',
  '-271821-04-19T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '+294276-12-31T23:59:59.999Z',
  '+294277-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999+14:00',
  '9999-12-31T23:59:59.999-12:00',
  '0000-01-01T00:00:00+14:00',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '1970-01-01T00:00:00+00:01',
] as const;

const year = fc.oneof(
  fc.integer({ min: 0, max: 9999 }).map((value) => pad(value, 4)),
  fc.integer({ min: -999_999, max: 999_999 }).map((value) => `${value < 0 ? '-' : '+'}${pad(value, 6)}`),
  fc.constantFrom('0000', '1969', '1970', '9999', '-000000', '+000000', '-004712', '+294276', '99999'),
);
const twoDigits = (max: number) => fc.integer({ min: 0, max }).map((value) => pad(value, 2));
const fraction = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^\.\d{1,12}$/),
  fc.constantFrom('.', ',5', '.999999999'),
);
const offset = fc.oneof(
  fc.constantFrom('Z', 'z', '', '+00:00', '-00:00', '+14:00', '-12:00', '+14:01', '-12:01', '+23:59'),
  fc.constantFrom('+24:00', '-99:99', '+0530', '+05', 'UTC', ' Z', 'GMT+2'),
  fc.tuple(fc.constantFrom('+', '-'), twoDigits(99), twoDigits(99)).map(([sign, h, m]) => `${sign}${h}:${m}`),
);

/**
 * Date-time strings in and around RFC 3339: every year form (0000, signed 6-digit, 5-digit), months,
 * days and times past their range (month 13, day 31 of February, 24:00, second 60), long fractions,
 * offsets up to and past ±14:00 or missing, other separators, and the edge instants above. Hunts dates
 * that JavaScript accepts and PostgreSQL does not (a 500), or that shift with the server's time zone.
 */
export const dateTimeString = (): Arbitrary<string> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...EDGE_DATE_TIMES) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          year,
          twoDigits(13),
          twoDigits(32),
          fc.constantFrom('T', 't', ' '),
          twoDigits(24),
          twoDigits(60),
          twoDigits(61),
          fraction,
          offset,
        )
        .map(([y, mo, d, separator, h, mi, s, f, z]) => `${y}-${mo}-${d}${separator}${h}:${mi}:${s}${f}${z}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
        .map((date) => date.toISOString()),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('2024-05-01', '2024-05-01T07:30', 'May 1, 2024', '1714548600', 'now', ''),
    },
  );

/**
 * Instants within `spanMs` of the moment the value is generated, as RFC 3339 text: hunts checks against
 * "now" (a clock-skew allowance) at their edge.
 */
export const instantNearNow = (spanMs: number): Arbitrary<string> =>
  fc.integer({ min: -spanMs, max: spanMs }).map((offsetMs) => new Date(Date.now() + offsetMs).toISOString());
