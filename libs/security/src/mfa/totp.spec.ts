import { Secret, TOTP, URI } from 'otpauth';
import { generateRecoveryCodes, generateTotpSecret, matchTotp, recoveryCodeDigest, totpUri } from './totp';

/** RFC 6238 Appendix B's SHA-1 seed: a published test value, not a secret. */
const RFC_SECRET = Secret.fromLatin1('12345678901234567890');
const RFC_SECRET_BASE32 = RFC_SECRET.base32;
const STEP_MS = 30_000;

/** The 6-digit code an authenticator app shows for `secret` during time step `step`. */
function codeAt(secret: string, step: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: step * STEP_MS });
}

const RECOVERY_CODE_FORMAT =
  /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;

describe('TOTP', () => {
  describe('RFC 6238 test vectors', () => {
    it('the library gives 94287082 for the SHA-1 seed at T = 59 s with 8 digits', () => {
      expect(
        TOTP.generate({ secret: RFC_SECRET, algorithm: 'SHA1', digits: 8, period: 30, timestamp: 59_000 }),
      ).toBe('94287082');
    });

    // Appendix B's SHA-1 rows; a 6-digit code is the last six digits of the 8-digit one.
    it.each([
      [59, '287082', 1],
      [1_111_111_109, '081804', 37_037_036],
      [1_111_111_111, '050471', 37_037_037],
      [1_234_567_890, '005924', 41_152_263],
      [2_000_000_000, '279037', 66_666_666],
      [20_000_000_000, '353130', 666_666_666],
    ])('matches %s s with code %s in time step %s', (seconds, code, step) => {
      expect(matchTotp(RFC_SECRET_BASE32, code, { now: seconds * 1000, window: 0 })).toBe(step);
    });
  });

  describe('matchTotp', () => {
    const secret = generateTotpSecret();
    const now = 1_800_000_000_000;
    const step = Math.floor(now / STEP_MS);

    it('matches the current code and returns its time step', () => {
      expect(matchTotp(secret, codeAt(secret, step), { now })).toBe(step);
    });

    it('checks against the current time by default', () => {
      const current = Math.floor(Date.now() / STEP_MS);

      // Even if the step changes before the check, the code is still within the default window.
      expect(matchTotp(secret, codeAt(secret, current))).toBe(current);
    });

    it.each([-1, 1])('accepts a code one step off (%s) by default, and returns that step', (offset) => {
      expect(matchTotp(secret, codeAt(secret, step + offset), { now })).toBe(step + offset);
    });

    it.each([-3, -2, 2, 3])('refuses a code %s steps off by default', (offset) => {
      expect(matchTotp(secret, codeAt(secret, step + offset), { now })).toBeNull();
    });

    it('accepts only the current step with window 0, and two steps off with window 2', () => {
      expect(matchTotp(secret, codeAt(secret, step - 1), { now, window: 0 })).toBeNull();
      expect(matchTotp(secret, codeAt(secret, step), { now, window: 0 })).toBe(step);
      expect(matchTotp(secret, codeAt(secret, step - 2), { now, window: 2 })).toBe(step - 2);
      expect(matchTotp(secret, codeAt(secret, step + 2), { now, window: 2 })).toBe(step + 2);
    });

    it('refuses the code of another secret', () => {
      expect(matchTotp(secret, codeAt(generateTotpSecret(), step), { now, window: 0 })).toBeNull();
    });

    it('returns a greater step as time passes, so the caller can refuse a code used before', () => {
      const steps = [0, 1, 2, 3].map((later) => {
        const at = now + later * STEP_MS;
        return matchTotp(secret, codeAt(secret, step + later), { now: at });
      });

      expect(steps).toEqual([step, step + 1, step + 2, step + 3]);
    });

    it('returns the same step for a code replayed within its window, which the caller refuses', () => {
      const code = codeAt(secret, step);

      expect(matchTotp(secret, code, { now })).toBe(step);
      expect(matchTotp(secret, code, { now: now + STEP_MS })).toBe(step);
      expect(matchTotp(secret, code, { now: now + 2 * STEP_MS })).toBeNull();
    });

    describe('refuses anything but exactly six ASCII digits, without throwing', () => {
      const code = codeAt(RFC_SECRET_BASE32, 1); // 287082 at T = 59 s
      it.each([
        ['empty', ''],
        ['five digits', code.slice(1)],
        ['seven digits', `${code}2`],
        ['eight digits (the 8-digit code)', '94287082'],
        ['a letter', '28708a'],
        ['a leading space', ` ${code}`],
        ['a trailing newline', `${code}\n`],
        ['a space inside', '287 082'],
        ['a sign', '+87082'],
        ['Arabic-Indic digits', '٢٨٧٠٨٢'],
        ['full-width digits', '２８７０８２'],
        ['a decimal number', '2870.2'],
      ])('%s', (_case, typed) => {
        expect(matchTotp(RFC_SECRET_BASE32, typed, { now: 59_000 })).toBeNull();
      });

      it('while the code itself matches', () => {
        expect(matchTotp(RFC_SECRET_BASE32, code, { now: 59_000 })).toBe(1);
      });
    });

    it.each([-1, 3, 1.5, Number.NaN])('refuses a window of %s', (window) => {
      expect(() => matchTotp(secret, '123456', { now, window })).toThrow(RangeError);
    });

    it.each([Number.NaN, Number.POSITIVE_INFINITY])('refuses a time of %s', (at) => {
      expect(() => matchTotp(secret, '123456', { now: at })).toThrow(RangeError);
    });
  });

  describe('generateTotpSecret', () => {
    it('makes a base32 secret of 20 random bytes (160 bits, RFC 4226 §4)', () => {
      const secret = generateTotpSecret();

      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(Secret.fromBase32(secret).bytes).toHaveLength(20);
    });

    it('makes a different secret every time', () => {
      const secrets = new Set(Array.from({ length: 100 }, generateTotpSecret));

      expect(secrets.size).toBe(100);
    });
  });

  describe('totpUri', () => {
    const secret = generateTotpSecret();

    it('describes the secret, issuer and account with RFC 6238 defaults for authenticator apps', () => {
      const uri = totpUri({ issuer: 'Runnerly', accountName: 'ada@example.com', secret });
      const parsed = URI.parse(uri);

      expect(uri).toMatch(/^otpauth:\/\/totp\/Runnerly:ada%40example\.com\?/);
      expect(parsed).toBeInstanceOf(TOTP);
      expect(parsed).toMatchObject({
        issuer: 'Runnerly',
        label: 'ada@example.com',
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
      });
      expect(parsed.secret.base32).toBe(secret);
    });

    it('escapes names so that they cannot add URI parameters', () => {
      const uri = totpUri({ issuer: 'Runnerly', accountName: 'ada@example.com&secret=AAAA', secret });

      expect(URI.parse(uri)).toMatchObject({ label: 'ada@example.com&secret=AAAA' });
      expect(URI.parse(uri).secret.base32).toBe(secret);
    });

    it.each([
      ['an issuer with a colon', 'Runnerly:EU', 'ada@example.com'],
      ['an account name with a colon', 'Runnerly', 'Runnerly:ada@example.com'],
      ['an empty issuer', '', 'ada@example.com'],
      ['an empty account name', 'Runnerly', ''],
    ])('refuses %s', (_case, issuer, accountName) => {
      expect(() => totpUri({ issuer, accountName, secret })).toThrow(/non-empty and contain no ":"/);
    });
  });
});

describe('recovery codes', () => {
  describe('generateRecoveryCodes', () => {
    it('makes ten codes by default, each xxxx-xxxx-xxxx-xxxx (80 bits) in an alphabet without i, l, o or u', () => {
      const codes = generateRecoveryCodes();

      expect(codes).toHaveLength(10);
      for (const code of codes) expect(code).toMatch(RECOVERY_CODE_FORMAT);
    });

    it('makes as many codes as asked, all different', () => {
      const codes = generateRecoveryCodes(100);

      expect(codes).toHaveLength(100);
      expect(new Set(codes).size).toBe(100);
    });

    it('uses the whole alphabet, so each symbol carries 5 bits', () => {
      const symbols = new Set(
        Array.from({ length: 20 }, () => generateRecoveryCodes(100))
          .flat()
          .join('')
          .replace(/-/g, ''),
      );

      expect([...symbols].sort().join('')).toBe('0123456789abcdefghjkmnpqrstvwxyz');
    });

    it.each([0, -1, 101, 2.5, Number.NaN])('refuses to make %s codes', (count) => {
      expect(() => generateRecoveryCodes(count)).toThrow(RangeError);
    });
  });

  describe('recoveryCodeDigest', () => {
    const [code] = generateRecoveryCodes(1);
    const digest = recoveryCodeDigest(code);

    it('is a SHA-256 hex digest that does not contain the code', () => {
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      expect(digest).not.toContain(code.replace('-', ''));
    });

    it.each([
      ['without the dash', (c: string) => c.replace('-', '')],
      ['in capitals', (c: string) => c.toUpperCase()],
      ['with spaces for the dash', (c: string) => c.replace('-', ' ')],
      ['in groups of two with dashes', (c: string) => c.replace('-', '').replace(/(..)(?!$)/g, '$1-')],
      ['with surrounding whitespace', (c: string) => `  ${c}\t\n`],
    ])('is the same for the code typed %s', (_case, spell) => {
      expect(recoveryCodeDigest(spell(code))).toBe(digest);
    });

    it('differs for another code', () => {
      const [other] = generateRecoveryCodes(1);

      expect(recoveryCodeDigest(other)).not.toBe(digest);
    });
  });
});
