import fc, { type Arbitrary } from 'fast-check';

/** JSON number text sent as written (`JSON.rawJSON`, Node 21+): what `JSON.stringify` never writes. */
const rawJson = (text: string): unknown =>
  (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(text);

/** Integer limits of PostgreSQL columns and of JavaScript numbers. */
const LIMITS = [
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 53,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  1e308,
  -1e308,
  Number.MIN_VALUE,
];

/**
 * Values for an integer field bounded by [min, max]: the bounds and their neighbours, integers in range,
 * floats, -0, the limits of `integer` columns and of doubles, number text JSON.stringify never writes
 * (`1e400`, `5000.0`, `-0`), and what a client sends instead of a number (digit strings, booleans, null,
 * arrays, objects). Hunts a bound checked in JavaScript but not by the column (a 500), or a string
 * silently converted.
 */
export const numbersAround = (min: number, max: number): Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(min - 1, min, min + 1, max - 1, max, max + 1, min + 0.5, max - 0.5, -0, 0),
    fc.integer({ min, max }),
    fc.constantFrom(...LIMITS),
    fc.double(),
    fc
      .constantFrom(
        '1e400',
        '-1e400',
        '-0',
        '-0.0',
        `${max}.0`,
        `${min}e0`,
        '1E2',
        '0.1e1',
        '1' + '0'.repeat(30),
      )
      .map(rawJson),
    fc.constantFrom(String(min), String(max), ` ${max}`, '0x10', '1e3', '', 'NaN', true, false, null),
    fc.constantFrom([max], { value: max }),
  );

/**
 * Number-like query-string values around [min, max]: the bounds and their neighbours, and text that a
 * lenient `Number()` accepts (`''`, `' 5'`, `0x10`, `1e1`, `Infinity`, `-0`) or that overflows.
 */
export const numericQueryValues = (min: number, max: number): Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(min - 1, min, max, max + 1).map(String),
    fc.integer({ min, max }).map(String),
    fc.constantFrom('', ' 5', '5 ', '+5', '05', '0x10', '1e1', '1.0', '1.5', 'Infinity', '-0', 'NaN', 'null'),
    fc.constantFrom('9'.repeat(20), '9'.repeat(400), String(2 ** 31), '-1'),
  );
