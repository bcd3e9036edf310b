// The package ships no types; its whole API is this one function.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const commonPasswords = require('fxa-common-password-list') as { test(lowerCasedPassword: string): boolean };

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * NIST SP 800-63B / OWASP ASVS 2.1 rules: 8 to 128 characters, any characters allowed, no composition
 * rules, but not one of the passwords attackers try first (Mozilla's list used by Firefox Accounts, from
 * the 50,000 most common of at least 8 characters), and not the account's own email. The upper bound also caps how
 * much a single hash costs.
 */
export function passwordProblems(password: string, email?: string): string[] {
  // Judged as it will be hashed (PasswordHasher normalises to NFKC): otherwise "ｐａｓｓｗｏｒｄ１２３"
  // would pass the deny list and then verify as "password123".
  const normalized = password.normalize('NFKC');
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH) return [`password must be at least ${PASSWORD_MIN_LENGTH} characters`];
  if (length > PASSWORD_MAX_LENGTH) return [`password must be at most ${PASSWORD_MAX_LENGTH} characters`];

  const problems: string[] = [];
  const lower = normalized.toLowerCase();
  if (commonPasswords.test(lower)) problems.push('password is too common');
  const localPart = email?.split('@')[0]?.toLowerCase();
  if (
    email &&
    (lower.includes(email.toLowerCase()) || (localPart && localPart.length >= 4 && lower.includes(localPart)))
  ) {
    problems.push('password must not contain the email address');
  }
  return problems;
}
