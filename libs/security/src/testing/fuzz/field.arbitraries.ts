import fc, { type Arbitrary } from 'fast-check';
import { anyJsonValue } from './json.arbitraries';
import { stringsAroundBound } from './length.arbitraries';
import {
  controlCharacter,
  hostileText,
  invisibleCharacter,
  lookAlike,
  loneSurrogate,
} from './text.arbitraries';

/**
 * Values for a text field of `min` to `max` characters: hostile text, strings around both bounds by
 * every length measure, blanks, and values that are no string. Hunts text the DTO lets through and the
 * database or a log then chokes on.
 */
export const textFieldValues = (max: number, min = 1): Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: hostileText({ maxLength: Math.min(max + 8, 64) }) },
    { weight: 5, arbitrary: stringsAroundBound(max) },
    { weight: 1, arbitrary: stringsAroundBound(min) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u3000', '\n', '\u200b') },
    { weight: 1, arbitrary: anyJsonValue() },
  );

/**
 * Values for an email field: valid addresses, look-alike spellings of them, addresses with a control
 * character, NUL, an invisible character or a lone surrogate inside, local parts around the 254
 * characters of an address, hostile text, and values that are no string. Hunts one person with two
 * accounts, and addresses that pass validation but break a query.
 */
export const emailValues = (): Arbitrary<unknown> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.emailAddress() },
    { weight: 2, arbitrary: fc.emailAddress().chain(lookAlike) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.emailAddress(),
          fc.nat(),
          fc.oneof(controlCharacter(), invisibleCharacter(), loneSurrogate()),
        )
        .map(([email, at, inserted]) => {
          const position = at % (email.length + 1);
          return `${email.slice(0, position)}${inserted}${email.slice(position)}`;
        }),
    },
    {
      weight: 1,
      arbitrary: stringsAroundBound(254 - '@example.com'.length).map((local) => `${local}@example.com`),
    },
    { weight: 2, arbitrary: hostileText() },
    { weight: 1, arbitrary: anyJsonValue() },
  );
