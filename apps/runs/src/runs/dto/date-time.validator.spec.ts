import { validateSync } from 'class-validator';
import {
  IsDateTimeWithZone,
  IsNotBefore,
  IsRunStartTime,
  parseDateTimeWithZone,
} from './date-time.validator';

class Range {
  @IsDateTimeWithZone()
  from?: unknown;

  @IsNotBefore('from')
  to?: unknown;
}

class Start {
  @IsRunStartTime()
  startedAt?: unknown;
}

const problemsOf = (target: object) =>
  validateSync(target).flatMap((error) => Object.values(error.constraints ?? {}));
const start = (startedAt: unknown) => Object.assign(new Start(), { startedAt });
const range = (from: unknown, to: unknown) => Object.assign(new Range(), { from, to });

describe('parseDateTimeWithZone', () => {
  it.each([
    ['2024-05-01T07:30:00Z', '2024-05-01T07:30:00.000Z'],
    ['2024-05-01T07:30Z', '2024-05-01T07:30:00.000Z'],
    ['2024-05-01T09:30:00.250+02:00', '2024-05-01T07:30:00.250Z'],
    ['2024-05-01T00:30:00-05:00', '2024-05-01T05:30:00.000Z'],
    ['2024-02-29T12:00:00.123456789Z', '2024-02-29T12:00:00.123Z'],
  ])('reads %s as %s', (text, instant) => {
    expect(parseDateTimeWithZone(text)?.toISOString()).toBe(instant);
  });

  it.each([
    ['no timezone', '2024-05-01T07:30:00'],
    ['a date only', '2024-05-01'],
    ['a space instead of T', '2024-05-01 07:30:00Z'],
    ['an impossible day', '2023-02-29T07:30:00Z'],
    ['hour 24', '2024-05-01T24:00:00Z'],
    ['a 25-hour offset', '2024-05-01T07:30:00+25:00'],
    ['a basic-format date', '20240501T073000Z'],
    ['an offset without colon', '2024-05-01T07:30:00+0200'],
    ['an expanded year', '+275760-09-13T00:00:00Z'],
    ['a number', 1_714_548_600_000],
    ['null', null],
  ])('refuses %s', (_case, value) => {
    expect(parseDateTimeWithZone(value)).toBeUndefined();
  });
});

describe('IsRunStartTime', () => {
  it('accepts the past, now, and up to five minutes ahead', () => {
    expect(problemsOf(start('1970-01-01T00:00:00Z'))).toEqual([]);
    expect(problemsOf(start(new Date().toISOString()))).toEqual([]);
    expect(problemsOf(start(new Date(Date.now() + 4 * 60_000).toISOString()))).toEqual([]);
  });

  it.each([
    [
      'six minutes ahead',
      () => new Date(Date.now() + 6 * 60_000).toISOString(),
      'startedAt must not be more than 5 minutes in the future',
    ],
    ['before 1970', () => '1969-12-31T23:59:59.999Z', 'startedAt must not be before 1970-01-01'],
    [
      'without timezone',
      () => '2024-05-01T07:30:00',
      'startedAt must be an ISO 8601 date-time with a timezone, e.g. 2024-05-01T07:30:00Z',
    ],
    [
      'a Date object',
      () => new Date(),
      'startedAt must be an ISO 8601 date-time with a timezone, e.g. 2024-05-01T07:30:00Z',
    ],
  ])('refuses a start %s, saying why', (_case, value, message) => {
    expect(problemsOf(start(value()))).toEqual([message]);
  });
});

describe('IsNotBefore', () => {
  it('accepts an end at or after the start, across timezones', () => {
    expect(problemsOf(range('2024-05-01T07:30:00Z', '2024-05-01T07:30:00Z'))).toEqual([]);
    expect(problemsOf(range('2024-05-01T07:30:00Z', '2024-05-01T09:00:00+01:00'))).toEqual([]);
  });

  it('refuses an end before the start', () => {
    expect(problemsOf(range('2024-05-01T07:30:00Z', '2024-05-01T08:00:00+02:00'))).toEqual([
      'to must not be before from',
    ]);
  });

  it('leaves missing or malformed sides to their own validators', () => {
    expect(problemsOf(range(undefined, '2024-05-01T07:30:00Z'))).toEqual(
      expect.arrayContaining([expect.stringContaining('from must be')]),
    );
    expect(problemsOf(range('2024-05-01T07:30:00Z', 'soon'))).toEqual([]);
  });
});
