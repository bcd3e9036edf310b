import fc, { type Arbitrary } from 'fast-check';
import { dateTimeString, EDGE_DATE_TIMES } from './date.arbitraries';
import { anyJsonValue } from './json.arbitraries';
import { hostileText } from './text.arbitraries';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Identifiers around a UUID: valid ones, upper-case, the nil and max UUIDs, without dashes, braced, one
 * character short or long, with SQL or a suffix, numbers, hostile text. Hunts ids that reach SQL
 * unchecked (a `uuid` cast fails: a 500) or that match another row once normalised.
 */
export const uuidLike = (): Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.uuid() },
    {
      weight: 3,
      arbitrary: fc
        .uuid()
        .chain((uuid) =>
          fc.constantFrom(
            uuid.toUpperCase(),
            uuid.replaceAll('-', ''),
            `{${uuid}}`,
            uuid.slice(1),
            `${uuid}0`,
            `${uuid} `,
            `${uuid}' OR '1'='1`,
            `urn:uuid:${uuid}`,
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(NIL_UUID, 'ffffffff-ffff-ffff-ffff-ffffffffffff', '0', '-1', 'me'),
    },
    { weight: 2, arbitrary: hostileText({ minLength: 1, maxLength: 60 }) },
  );

const base64url = (json: string) => Buffer.from(json).toString('base64url');

/**
 * Pagination cursors a client forged or damaged: base64url of a well-formed `[date, uuid]` pair whose
 * date lies at or beyond PostgreSQL's or JavaScript's range or is spelled otherwise; of JSON with
 * non-UUIDs, wrong types, missing or extra elements, an object instead of a pair; or no JSON at all,
 * padding, the base64 alphabet, over-long. Hunts a decoder that lets through a value the query then
 * fails on (a 500), or that reads rows out of order.
 */
export const tamperedCursor = (): Arbitrary<string> => {
  const at = fc.oneof(
    fc.constantFrom(...EDGE_DATE_TIMES),
    dateTimeString(),
    fc.constantFrom('2024', 'May 1, 2024', '1e308', '', 'Infinity', '2024-05-01T07:30:00.000Z '),
    anyJsonValue(),
  );
  const id = fc.oneof(uuidLike(), anyJsonValue());
  const wellFormed = fc.tuple(fc.oneof(fc.constantFrom(...EDGE_DATE_TIMES), dateTimeString()), fc.uuid());
  const payload = fc.oneof(
    fc.tuple(at, id),
    fc.tuple(at, id, anyJsonValue()),
    fc.tuple(at),
    fc.record({ at, id }),
    anyJsonValue(),
  );
  return fc.oneof(
    { weight: 4, arbitrary: wellFormed.map((value) => base64url(JSON.stringify(value))) },
    { weight: 4, arbitrary: payload.map((value) => base64url(JSON.stringify(value) ?? 'null')) },
    {
      weight: 1,
      arbitrary: payload.map((value) => Buffer.from(JSON.stringify(value) ?? '').toString('base64')),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,240}$/) },
    { weight: 1, arbitrary: hostileText({ minLength: 1, maxLength: 60 }).map(base64url) },
    { weight: 1, arbitrary: hostileText({ maxLength: 60 }) },
  );
};

/**
 * Opaque tokens around a real one's shape (43 base64url characters): the right shape with random
 * content, longer and shorter, hostile text. Hunts lookups by unbounded or malformed secrets.
 */
export const opaqueTokenLike = (): Arbitrary<string> =>
  fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    fc.integer({ min: 0, max: 600 }).map((length) => 'A'.repeat(length)),
    hostileText({ maxLength: 200 }),
  );
