import fc, { type Arbitrary } from 'fast-check';

const codePointIn = (min: number, max: number): Arbitrary<string> =>
  fc.integer({ min, max }).map((codePoint) => String.fromCodePoint(codePoint));

/** NUL, C0 and C1 controls, DEL. Hunts NUL reaching PostgreSQL (a 500), escape sequences reaching logs. */
export const controlCharacter = (): Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant('\u0000') },
    { weight: 2, arbitrary: codePointIn(0x01, 0x1f) },
    { weight: 1, arbitrary: fc.constant('\u007f') },
    { weight: 1, arbitrary: codePointIn(0x80, 0x9f) },
  );

/**
 * Characters a reader does not see: soft hyphen, zero-width space and joiners, word joiner, BOM, bidi
 * marks and overrides, Hangul fillers, a variation selector, a tag. Hunts identities that look equal but
 * compare different.
 */
export const INVISIBLE_CHARACTERS = [
  '\u00ad',
  '\u034f',
  '\u061c',
  '\u115f',
  '\u180e',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u202e',
  '\u2060',
  '\u2066',
  '\u3164',
  '\ufe0f',
  '\ufeff',
  '\u{e0041}',
] as const;
export const invisibleCharacter = (): Arbitrary<string> => fc.constantFrom(...INVISIBLE_CHARACTERS);

/**
 * A character of any plane: ASCII, the rest of the BMP (private use included), the astral SMP (emoji,
 * mathematical letters) and SIP (CJK extensions), the unassigned planes, the private-use planes 15-16,
 * noncharacters. Hunts code that counts UTF-16 units as characters or expects assigned characters.
 */
export const anyPlaneCharacter = (): Arbitrary<string> =>
  fc.oneof(
    codePointIn(0x20, 0x7e),
    codePointIn(0xa0, 0xd7ff),
    codePointIn(0xe000, 0xfffd),
    codePointIn(0x1_0000, 0x1_ffff),
    codePointIn(0x2_0000, 0x2_ffff),
    codePointIn(0x3_0000, 0xd_ffff),
    codePointIn(0xf_0000, 0x10_ffff),
    fc.constantFrom('\u0378', '\ufdd0', '\ufffe', '\uffff', '\u{1fffe}', '\u{10ffff}'),
  );

/**
 * An unpaired UTF-16 surrogate: JSON can carry one (`"\ud800"`), but it is no text. Hunts validators
 * that throw on it (validator.js's byte counts use encodeURI) and values PostgreSQL silently turns
 * into U+FFFD.
 */
export const loneSurrogate = (): Arbitrary<string> =>
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

/**
 * Clusters where characters, code points and UTF-16 units disagree: combining marks, stacked marks, a
 * variation selector, a ZWJ emoji sequence, a flag, a ligature NFKC expands to 18 characters.
 */
export const CLUSTERS = [
  'e\u0301',
  'a\u0308\u0304\u0323',
  '\u2764\ufe0f',
  '\u{1f469}\u200d\u{1f469}\u200d\u{1f467}',
  '\u{1f1eb}\u{1f1f7}',
  '\ufdfa',
] as const;

/**
 * Text as hostile input: mostly printable ASCII, mixed with characters of every plane, controls and
 * NUL, invisible characters, lone surrogates and clusters. The all-purpose generator for string fields.
 */
export const hostileText = (
  constraints: { minLength?: number; maxLength?: number } = {},
): Arbitrary<string> =>
  fc.string({
    minLength: constraints.minLength ?? 0,
    maxLength: constraints.maxLength ?? 40,
    unit: fc.oneof(
      { weight: 6, arbitrary: codePointIn(0x20, 0x7e) },
      { weight: 3, arbitrary: anyPlaneCharacter() },
      { weight: 1, arbitrary: controlCharacter() },
      { weight: 1, arbitrary: invisibleCharacter() },
      { weight: 1, arbitrary: loneSurrogate() },
      { weight: 1, arbitrary: fc.constantFrom(...CLUSTERS) },
    ),
  });

/** ASCII turned into its fullwidth forms (`ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ`), which NFKC folds back. */
export function fullwidth(text: string): string {
  return text.replace(/[!-~]/g, (character) => String.fromCharCode(character.charCodeAt(0) + 0xfee0));
}

/**
 * `text` in a form that renders the same or nearly: NFC, NFD, NFKC, NFKD or fullwidth. Hunts identities
 * compared code unit by code unit (two accounts for one address).
 */
export const normalizationForm = (text: string): Arbitrary<string> =>
  fc.constantFrom(
    text.normalize('NFC'),
    text.normalize('NFD'),
    text.normalize('NFKC'),
    text.normalize('NFKD'),
    fullwidth(text),
  );

/** Whitespace around a value: ASCII, no-break, ideographic, line breaks. */
const SURROUNDING_SPACE = ['', ' ', '\t', '\u00a0', '\u3000', '\n', '  \u2003'] as const;

/**
 * Spellings of `text` a person would take for the same: another normalisation form or fullwidth,
 * another case, invisible characters inside, whitespace around. Hunts one identity, many accounts.
 */
export const lookAlike = (text: string): Arbitrary<string> =>
  fc
    .tuple(
      normalizationForm(text),
      fc.constantFrom('same', 'upper', 'mixed'),
      fc.array(fc.tuple(fc.nat(), invisibleCharacter()), { maxLength: 3 }),
      fc.constantFrom(...SURROUNDING_SPACE),
      fc.constantFrom(...SURROUNDING_SPACE),
    )
    .map(([form, letterCase, invisibles, before, after]) => {
      let spelled =
        letterCase === 'upper'
          ? form.toUpperCase()
          : letterCase === 'mixed'
            ? [...form].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('')
            : form;
      for (const [at, invisible] of invisibles) {
        const codePoints = [...spelled];
        codePoints.splice(at % (codePoints.length + 1), 0, invisible);
        spelled = codePoints.join('');
      }
      return `${before}${spelled}${after}`;
    });
