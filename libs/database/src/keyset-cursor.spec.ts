import { AppException } from '@runnerly/security';
import { decodeCursor, encodeCursor } from './keyset-cursor';

const ID = '0b7996d1-1cee-4f8a-a90c-56195e64852c';
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('decodeCursor', () => {
  it.each([new Date('2024-05-01T07:30:00.250Z'), new Date('-004712-11-24T00:00:00.000Z'), new Date(8.64e15)])(
    'decode to the position they were encoded from (%p)',
    (at) => {
      expect(decodeCursor(encodeCursor({ at, id: ID }))).toEqual({ at, id: ID });
    },
  );

  it.each([
    ["a date before PostgreSQL's first (4713 BC)", ['-004713-01-01T00:00:00.000Z', ID]],
    ["JavaScript's first date (-271821)", ['-271821-04-20T00:00:00.000Z', ID]],
    ['a date in another spelling', ['2024-05-01T09:30:00+02:00', ID]],
    ['a year alone', ['2024', ID]],
    ['a date in words', ['May 1, 2024', ID]],
    ['an impossible date', ['2024-02-30T00:00:00.000Z', ID]],
    ['a number for the date', [1_714_548_600_000, ID]],
    ['an upper-case id', ['2024-05-01T07:30:00.000Z', ID.toUpperCase()]],
    ['an id that is no UUID', ['2024-05-01T07:30:00.000Z', "1' OR '1'='1"]],
    ['an extra element', ['2024-05-01T07:30:00.000Z', ID, 'extra']],
    ['a missing element', ['2024-05-01T07:30:00.000Z']],
    ['an object', { at: '2024-05-01T07:30:00.000Z', id: ID }],
    ['null', null],
  ])(
    'refuses a cursor holding %s with a validation error on `cursor`, never a query error',
    (_case, value) => {
      expect(() => decodeCursor(cursorOf(value))).toThrow(AppException);
      expect(() => decodeCursor(cursorOf(value))).toThrow(
        expect.objectContaining({
          fields: [{ field: 'cursor', problems: ['cursor must be a cursor returned by this API'] }],
        }),
      );
    },
  );

  it('refuses a cursor that is no JSON', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrow(AppException);
  });
});
