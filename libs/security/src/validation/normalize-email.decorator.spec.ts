import fc from 'fast-check';
import { IsEmail } from 'class-validator';
import { fuzzParameters, hostileText, lookAlike, validated, validationProblemsOf } from '../testing';
import { NormalizeEmail, normalizeEmail } from './normalize-email.decorator';

class LoginDto {
  @NormalizeEmail()
  @IsEmail()
  email!: string;
}

describe('normalizeEmail', () => {
  it.each([
    ['upper case and surrounding spaces', '  ADA.Lovelace@Example.COM\t', 'ada.lovelace@example.com'],
    ['ideographic and no-break spaces around', '\u3000ada@example.com\u00a0', 'ada@example.com'],
    ['fullwidth letters (NFKC)', 'ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'ada@example.com'],
    ['mathematical bold letters (NFKC)', '\u{1d41a}\u{1d41d}\u{1d41a}@example.com', 'ada@example.com'],
    ['a decomposed accent (NFD)', 'zoe\u0301@example.com', 'zo\u00e9@example.com'],
    ['a composed accent (NFC)', 'zo\u00e9@example.com', 'zo\u00e9@example.com'],
    ['an upper-case decomposed accent', 'ZOE\u0301@EXAMPLE.COM', 'zo\u00e9@example.com'],
    ['a zero-width space (U+200B)', 'ada\u200b@example.com', 'ada@example.com'],
    ['a zero-width non-joiner (U+200C)', 'a\u200cda@example.com', 'ada@example.com'],
    ['a zero-width joiner (U+200D)', 'ada@exa\u200dmple.com', 'ada@example.com'],
    ['a word joiner (U+2060)', 'ada@example.\u2060com', 'ada@example.com'],
    ['a byte order mark (U+FEFF)', '\ufeffada@example.com', 'ada@example.com'],
    ['a soft hyphen (U+00AD)', 'ad\u00ada@example.com', 'ada@example.com'],
    ['a combining grapheme joiner inside an accent', 'zoe\u034f\u0301@example.com', 'zo\u00e9@example.com'],
  ])('folds %s into one spelling', (_case, spelling, expected) => {
    expect(normalizeEmail(spelling)).toBe(expected);
  });

  it('gives every look-alike spelling of an address the spelling of the address', () => {
    fc.assert(
      fc.property(
        fc.emailAddress().chain((email) => fc.tuple(fc.constant(email), lookAlike(email))),
        ([email, spelling]) => normalizeEmail(spelling) === normalizeEmail(email),
      ),
      fuzzParameters(500),
    );
  });

  it('is idempotent, and its result is lower case without invisible characters or surrounding spaces', () => {
    fc.assert(
      fc.property(hostileText({ maxLength: 30 }), (text) => {
        const normalized = normalizeEmail(text);
        return (
          normalizeEmail(normalized) === normalized &&
          normalized.toLowerCase() === normalized &&
          !/\p{Default_Ignorable_Code_Point}/u.test(normalized) &&
          normalized.trim() === normalized
        );
      }),
      fuzzParameters(2000),
    );
  });
});

describe('NormalizeEmail', () => {
  it('normalises an email before it is validated', async () => {
    expect((await validated(LoginDto, { email: ' ＡＤＡ@example.com\u200b' })).email).toBe('ada@example.com');
  });

  it('leaves a non-string for the validators to refuse', async () => {
    expect(await validationProblemsOf(LoginDto, { email: 42 })).toEqual([
      { field: 'email', problems: ['email must be an email'] },
    ]);
  });
});
