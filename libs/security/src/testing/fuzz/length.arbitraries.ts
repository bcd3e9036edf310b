import fc, { type Arbitrary } from 'fast-check';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The lengths of one string that disagree, each the way some layer counts it. */
export const LENGTH_MEASURES = {
  /** JavaScript's `length`. */
  utf16Units: (text: string) => text.length,
  /** PostgreSQL's `char_length` and `varchar(n)`. */
  codePoints: (text: string) => [...text].length,
  /** What a reader counts as characters. */
  graphemes: (text: string) => [...graphemes.segment(text)].length,
} as const;
export type LengthMeasure = keyof typeof LENGTH_MEASURES;

/**
 * Building blocks whose lengths differ by measure: an astral emoji (2 units, 1 code point), emoji
 * presentation sequences (2 code points, 1 grapheme; validator.js counts them as 1), a combining accent,
 * a ZWJ family (8 units, 5 code points, 1 grapheme), a CJK extension character, a private-use plane
 * character, a ligature NFKC expands to 18 characters.
 */
const BLOCKS = [
  '\u{1f3c3}',
  'x\ufe0f',
  '\u2764\ufe0f',
  'e\u0301',
  '\u{1f469}\u200d\u{1f469}\u200d\u{1f467}',
  '\u{20000}',
  '\u{f0000}',
  '\ufdfa',
] as const;

/**
 * Strings exactly one short of, at, or one past `bound` by one measure, built from blocks whose other
 * measures differ. Hunts a bound checked by one count in the DTO and by another in the column behind it
 * (a 100-character title the DTO accepts and `varchar(100)` refuses: a 500).
 */
export const stringsAroundBound = (bound: number): Arbitrary<string> =>
  fc
    .record({
      block: fc.constantFrom(...BLOCKS),
      measure: fc.constantFrom(...(Object.keys(LENGTH_MEASURES) as LengthMeasure[])),
      offset: fc.integer({ min: -1, max: 1 }),
      share: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    })
    .map(({ block, measure, offset, share }) => {
      const length = LENGTH_MEASURES[measure];
      const target = Math.max(0, bound + offset);
      const text = block.repeat(Math.floor((target / length(block)) * share));
      return text + 'a'.repeat(target - length(text));
    });
