import { fullwidth } from '@runnerly/security/testing';

/** An address with a letter that has composed and decomposed forms, unique per call. */
export function accentedEmail(): string {
  return `zo\u00e9.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;
}

const withInside = (character: string) => (email: string) => email.replace('@', `${character}@`);

/** Spellings of an address that render like it (or differ only in case and spacing), for it.each tables. */
export const LOOK_ALIKE_SPELLINGS: readonly (readonly [string, (email: string) => string])[] = [
  ['in upper case', (email) => email.toUpperCase()],
  ['with whitespace around', (email) => `  ${email}\t`],
  ['decomposed (NFD)', (email) => email.normalize('NFD')],
  ['in fullwidth letters (NFKC)', fullwidth],
  ['with a zero-width space (U+200B)', withInside('\u200b')],
  ['with a zero-width non-joiner (U+200C)', withInside('\u200c')],
  ['with a zero-width joiner (U+200D)', withInside('\u200d')],
  ['with a word joiner (U+2060)', withInside('\u2060')],
  ['with a byte order mark (U+FEFF)', (email) => `\ufeff${email}`],
  ['with a soft hyphen (U+00AD)', withInside('\u00ad')],
];
