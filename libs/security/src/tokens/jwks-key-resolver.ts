import { type KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type KeyResolver } from './key-resolver';
import { SIGNING_ALGORITHM, SigningKey } from './signing-key';

export interface JwksKeyResolverOptions {
  /** Where the issuer publishes its keys, e.g. http://users:3001/.well-known/jwks.json */
  url: string;
  /** Keys are fetched again after this long. Default: 10 minutes. */
  cacheTtlMs?: number;
  /** An unknown `kid` triggers a fetch at most this often, so forged kids cannot flood the issuer. Default: 30 s. */
  minRefetchIntervalMs?: number;
  /** When the issuer is unreachable, the last keys keep working this long past their TTL, then fail closed. Default: 1 h. */
  maxStaleMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export const JWKS_DEFAULTS = {
  cacheTtlMs: 10 * 60_000,
  minRefetchIntervalMs: 30_000,
  maxStaleMs: 60 * 60_000,
  timeoutMs: 2_000,
} as const;

const MAX_JWKS_BYTES = 64 * 1024;

/**
 * A verifier's view of the issuer's keys: fetched from its JWKS, cached, and fetched again when a token
 * names a key id not seen yet (a key rotation), at a bounded rate.
 */
export class JwksKeyResolver implements KeyResolver {
  private readonly logger = new Logger('Jwks');
  private readonly options: Required<Omit<JwksKeyResolverOptions, 'fetch' | 'now'>>;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inFlight?: Promise<void>;

  constructor(options: JwksKeyResolverOptions) {
    this.options = { ...JWKS_DEFAULTS, ...definedOnly(options) } as Required<
      Omit<JwksKeyResolverOptions, 'fetch' | 'now'>
    >;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  async resolve(kid: string): Promise<KeyObject | undefined> {
    const age = this.now() - this.fetchedAt;
    const mayRefetch = this.now() - this.attemptedAt >= this.options.minRefetchIntervalMs;
    // A fetch already under way (started by a concurrent request) is awaited, not skipped: otherwise
    // every request but the first one at start or after a rotation would find no key and get a 401.
    if ((age >= this.options.cacheTtlMs || !this.keys.has(kid)) && (mayRefetch || this.inFlight))
      await this.refresh();
    if (this.now() - this.fetchedAt >= this.options.cacheTtlMs + this.options.maxStaleMs) return undefined;
    return this.keys.get(kid);
  }

  /** Fetches the key set now (one request however many callers wait). Useful to warm the cache at start. */
  refresh(): Promise<void> {
    this.inFlight ??= this.fetchKeys().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    this.attemptedAt = this.now();
    try {
      const response = await this.fetch(this.options.url, {
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (!response.ok) throw new Error(`JWKS endpoint answered ${response.status}`);
      if (Number(response.headers.get('content-length') ?? 0) > MAX_JWKS_BYTES)
        throw new Error('JWKS document is too large');
      const text = await response.text();
      if (text.length > MAX_JWKS_BYTES) throw new Error('JWKS document is too large');
      this.keys = parseJwks(JSON.parse(text) as unknown);
      this.fetchedAt = this.now();
    } catch (error) {
      this.logger.warn(
        { err: error, url: this.options.url },
        'Could not fetch the JWKS; keeping the keys already known',
      );
    }
  }
}

/** Keeps only RSA signing keys for our algorithm; anything else in the set is ignored, never trusted. */
function parseJwks(document: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const entries = (document as { keys?: unknown }).keys;
  if (!Array.isArray(entries)) throw new Error('JWKS document has no "keys" array');
  for (const jwk of entries as Record<string, unknown>[]) {
    if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string') continue;
    if ((jwk.use ?? 'sig') !== 'sig' || (jwk.alg ?? SIGNING_ALGORITHM) !== SIGNING_ALGORITHM) continue;
    try {
      keys.set(jwk.kid, SigningKey.fromJwk({ kty: 'RSA', n: jwk.n as string, e: jwk.e as string }).publicKey);
    } catch {
      // A malformed or weak key is skipped: tokens naming it will not verify.
    }
  }
  return keys;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
