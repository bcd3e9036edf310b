import { createHash, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * RFC 6238's defaults, which every authenticator app supports (several ignore any other algorithm, digits
 * or period in the URI). HMAC-SHA-1 is still sound here: HOTP needs a PRF, not collision resistance.
 */
const TOTP_SETTINGS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** 160 bits, the secret length RFC 4226 §4 recommends (and the output size of HMAC-SHA-1). */
const TOTP_SECRET_BYTES = 20;
/** One step each way: a code typed as it changes, or a phone clock up to 30 s off (RFC 6238 §5.2). */
const DEFAULT_TOTP_WINDOW = 1;
/** Each extra step accepts two more codes per guess; beyond this a guessed code gets too likely. */
const MAX_TOTP_WINDOW = 2;
/** Exactly six ASCII digits: `\d` would also match other scripts' digits, which no app shows. */
const TOTP_CODE = /^[0-9]{6}$/;

/**
 * Crockford's base32 alphabet: no i, l, o or u, so a code read off paper is never mistaken for another
 * (1/l/i, 0/o). 32 symbols = 5 bits each.
 */
const RECOVERY_CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/**
 * 16 symbols = 80 bits. Online guessing is throttled anyway; the length is for a leaked table of digests:
 * unsalted SHA-256 of 80 random bits cannot be searched, where 50 bits would fall to one GPU in a day.
 */
const RECOVERY_CODE_LENGTH = 16;
const MAX_RECOVERY_CODES = 100;

export interface TotpUriOptions {
  /** The service's name, shown by the authenticator app (Runnerly). */
  issuer: string;
  /** Which account of that service (the email): tells several Runnerly accounts apart in the app. */
  accountName: string;
  /** The base32 secret from `generateTotpSecret`. */
  secret: string;
}

export interface MatchTotpOptions {
  /** The time to check against, in milliseconds since the epoch. Default: now. */
  now?: number;
  /** Time steps of clock drift accepted each way, 0 to 2. Default: 1. */
  window?: number;
}

/** A new TOTP secret: 160 bits from the OS CSPRNG, in base32 as authenticator apps expect. */
export function generateTotpSecret(): string {
  return new Secret({ size: TOTP_SECRET_BYTES }).base32;
}

/**
 * The `otpauth://totp/...` URI of a secret, to show as a QR code once when two-factor is set up. It holds
 * the secret itself: never log it, store it or send it anywhere but to the user enrolling.
 *
 * Neither name may contain a colon: the Key URI Format separates issuer and account with one, and apps
 * that split on it would show the account under the wrong issuer.
 */
export function totpUri({ issuer, accountName, secret }: TotpUriOptions): string {
  if (issuer === '' || accountName === '' || issuer.includes(':') || accountName.includes(':')) {
    throw new Error('A TOTP issuer and account name must be non-empty and contain no ":"');
  }
  return new TOTP({
    ...TOTP_SETTINGS,
    issuer,
    label: accountName,
    secret: Secret.fromBase32(secret),
  }).toString();
}

/**
 * Checks a code typed by the user against `secret`. Returns the time step (RFC 6238's counter T) the code
 * belongs to, or null when it matches none in the window.
 *
 * A code is accepted during its own step and the drift window around it, so a code seen over a
 * shoulder or phished could be replayed. The step is returned to stop that: the caller keeps the last
 * step accepted for the account and accepts a code only when its step is greater. The caller also
 * throttles attempts, since each guess has a (1 + 2·window) in a million chance.
 */
export function matchTotp(secret: string, code: string, options: MatchTotpOptions = {}): number | null {
  const { now = Date.now(), window = DEFAULT_TOTP_WINDOW } = options;
  if (!Number.isInteger(window) || window < 0 || window > MAX_TOTP_WINDOW) {
    throw new RangeError(`A TOTP window is 0 to ${MAX_TOTP_WINDOW} steps, got ${window}`);
  }
  if (!Number.isFinite(now)) {
    throw new RangeError('A TOTP check needs the time as milliseconds since the epoch');
  }
  // Checked before the library sees the code: its length check counts UTF-16 units, so six non-ASCII
  // digits would reach its timingSafeEqual, which throws on inputs of different byte lengths.
  if (!TOTP_CODE.test(code)) return null;

  const totp = new TOTP({ ...TOTP_SETTINGS, secret: Secret.fromBase32(secret) });
  const delta = totp.validate({ token: code, timestamp: now, window });
  return delta === null ? null : totp.counter({ timestamp: now }) + delta;
}

/**
 * One-time codes that sign in when the authenticator is lost, shown once as `xxxx-xxxx-xxxx-xxxx`. Store only
 * their `recoveryCodeDigest`, and delete a digest when its code is used.
 */
export function generateRecoveryCodes(count = 10): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_RECOVERY_CODES) {
    throw new RangeError(`Between 1 and ${MAX_RECOVERY_CODES} recovery codes can be generated, got ${count}`);
  }
  const codes = new Set<string>();
  // A duplicate (a chance of about 1 in 10^13) would leave one code fewer: draw until there are enough.
  while (codes.size < count) codes.add(generateRecoveryCode());
  return [...codes];
}

/**
 * The stored form of a recovery code: SHA-256 of the code as the user may type it, lower-cased and
 * without spaces or dashes, so a typed code is found by its digest. A fast hash suits random codes of 80
 * bits (RECOVERY_CODE_LENGTH), not passwords.
 */
export function recoveryCodeDigest(code: string): string {
  const normalised = code.toLowerCase().replace(/[\s-]/g, '');
  return createHash('sha256').update(normalised).digest('hex');
}

function generateRecoveryCode(): string {
  // randomInt draws without modulo bias, from the OS CSPRNG.
  const symbols = Array.from(
    { length: RECOVERY_CODE_LENGTH },
    () => RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)],
  ).join('');
  return symbols.match(/.{4}/g)!.join('-');
}
