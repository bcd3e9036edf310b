import { Transform } from 'class-transformer';

/**
 * Characters that render as nothing: Unicode's Default_Ignorable_Code_Point, which holds the zero-width
 * space (U+200B), non-joiner and joiner (U+200C, U+200D), the word joiner (U+2060), the BOM (U+FEFF), the
 * soft hyphen (U+00AD), bidi marks, variation selectors, tags and Hangul fillers.
 *
 * They are removed, not refused. Refusing them at registration alone would leave a login with a pasted
 * "ada@example.com\u200b" failing for an account that exists; refusing them at login too would answer
 * differently (400) for a spelling that renders exactly like the account's. Removed everywhere, every
 * spelling that renders the same reaches the same account, and none can register a second one.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The one spelling of an email address under which its account is stored and looked up, so that
 * addresses that render the same are one account: invisible characters removed, compatibility forms
 * folded (NFKC: fullwidth `ａ` becomes `a`, and NFD and NFC spellings of `é` meet), surrounding whitespace
 * trimmed, lower-cased, then composed again (lower-casing can leave a sequence NFKC would compose).
 * Idempotent: a normalised address normalises to itself.
 */
export function normalizeEmail(value: string): string {
  return value.replace(INVISIBLE, '').normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

/**
 * Normalises an email field before validation (see normalizeEmail). Without it one person could
 * register twice with two spellings of one address, or dodge a per-account rate limit.
 */
export const NormalizeEmail = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value));
