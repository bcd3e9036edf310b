import { hasForbiddenCharacters } from './plain-text.validator';

describe('hasForbiddenCharacters', () => {
  it.each([
    ['plain text', 'Morning run by the river'],
    ['accents and other scripts', 'Zoë läuft 東京マラソン'],
    ['emoji joined with zero-width joiners', 'Park run 🏃‍♀️👨‍👩‍👧'],
    ['an empty string', ''],
  ])('lets %s through', (_case, text) => {
    expect(hasForbiddenCharacters(text, { allowLineBreaks: false })).toBe(false);
  });

  it.each([
    ['a NUL', 'a\u0000b'],
    ['a terminal escape sequence', '\u001b[2J'],
    ['a tab', 'a\tb'],
    ['a DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a right-to-left override (Trojan Source)', 'run\u202Egnp.exe'],
    ['a zero-width space', 'a\u200Bb'],
    ['a lone surrogate', 'a\uD800b'],
    ['a private-use character', 'a\uE000b'],
  ])('catches %s', (_case, text) => {
    expect(hasForbiddenCharacters(text, { allowLineBreaks: true })).toBe(true);
  });

  it('allows line breaks only where asked', () => {
    for (const text of ['a\nb', 'a\r\nb', 'a\rb']) {
      expect(hasForbiddenCharacters(text, { allowLineBreaks: true })).toBe(false);
      expect(hasForbiddenCharacters(text, { allowLineBreaks: false })).toBe(true);
    }
  });
});
