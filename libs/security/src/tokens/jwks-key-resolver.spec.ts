import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { generateRsaPrivateKeyPem, TestKeys } from '../testing';
import { JwksKeyResolver, type JwksKeyResolverOptions } from './jwks-key-resolver';

const CACHE_TTL = 60_000;
const MIN_REFETCH = 5_000;
const MAX_STALE = 120_000;

/** The `users` service's JWKS endpoint, on a real local port, answering what the test says. */
class FakeIssuer {
  requests = 0;
  respond: (response: ServerResponse) => void = (response) => this.send(response, 200, { keys: this.keys });
  keys: JsonWebKey[] = [];
  private readonly server: Server = createServer((_request, response) => {
    this.requests++;
    this.respond(response);
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  start(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

describe('JwksKeyResolver', () => {
  const issuer = new FakeIssuer();
  let keys: TestKeys;
  let clock: number;
  let resolver: JwksKeyResolver;

  const newResolver = (options: Partial<JwksKeyResolverOptions> = {}) =>
    new JwksKeyResolver({
      url: issuer.url,
      cacheTtlMs: CACHE_TTL,
      minRefetchIntervalMs: MIN_REFETCH,
      maxStaleMs: MAX_STALE,
      // Far above the default 2 s: a busy CI machine must not turn a slow local answer into a failed fetch.
      timeoutMs: 10_000,
      now: () => clock,
      ...options,
    });
  const activeKid = () => keys.active.kid;
  const rotatedIn = () => keys.retired[0]!;

  beforeAll(async () => {
    keys = TestKeys.generate({ retiredKeys: 1 });
    await issuer.start();
  });
  afterAll(() => issuer.stop());
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    clock = 1_000_000;
    issuer.requests = 0;
    issuer.keys = [keys.active.toJwk()];
    issuer.respond = (response) => issuer.send(response, 200, { keys: issuer.keys });
    resolver = newResolver();
  });

  it("resolves a kid to the issuer's public key", async () => {
    const key = await resolver.resolve(activeKid());
    expect(key?.equals(keys.active.publicKey)).toBe(true);
    expect(key?.type).toBe('public');
  });

  it('answers from its cache: a second resolve makes no request', async () => {
    await resolver.resolve(activeKid());
    clock += CACHE_TTL - 1;
    expect(await resolver.resolve(activeKid())).toBeDefined();
    expect(issuer.requests).toBe(1);
  });

  it('fetches the JWKS once for many concurrent resolves, and all of them get the key', async () => {
    const resolved = await Promise.all(Array.from({ length: 20 }, () => resolver.resolve(activeKid())));
    expect(issuer.requests).toBe(1);
    expect(resolved.every((key) => key?.equals(keys.active.publicKey))).toBe(true);
  });

  it('warms its cache with refresh()', async () => {
    await resolver.refresh();
    expect(await resolver.resolve(activeKid())).toBeDefined();
    expect(issuer.requests).toBe(1);
  });

  describe('key rotation', () => {
    it('fetches again when a token names a kid it has not seen, and finds the new key', async () => {
      await resolver.resolve(activeKid());
      issuer.keys = [rotatedIn().toJwk(), keys.active.toJwk()];
      clock += MIN_REFETCH;
      expect((await resolver.resolve(rotatedIn().kid))?.equals(rotatedIn().publicKey)).toBe(true);
      expect(issuer.requests).toBe(2);
    });

    it('fetches for unknown kids at most once per minRefetchInterval, so forged kids cannot flood the issuer', async () => {
      await resolver.resolve(activeKid());
      for (let i = 0; i < 10; i++) expect(await resolver.resolve(`forged-${i}`)).toBeUndefined();
      expect(issuer.requests).toBe(1);

      clock += MIN_REFETCH;
      await resolver.resolve('forged-again');
      expect(issuer.requests).toBe(2);
    });

    it('forgets keys the issuer no longer publishes', async () => {
      await resolver.resolve(activeKid());
      issuer.keys = [rotatedIn().toJwk()];
      clock += CACHE_TTL;
      expect(await resolver.resolve(activeKid())).toBeUndefined();
    });
  });

  describe('expiry of the cache', () => {
    it('fetches again once cacheTtl has passed', async () => {
      await resolver.resolve(activeKid());
      clock += CACHE_TTL;
      await resolver.resolve(activeKid());
      expect(issuer.requests).toBe(2);
    });

    it('keeps the known keys while the issuer is failing, and logs a warning', async () => {
      await resolver.resolve(activeKid());
      issuer.respond = (response) => issuer.send(response, 503, { error: 'down' });
      clock += CACHE_TTL + MAX_STALE - 1;
      expect(await resolver.resolve(activeKid())).toBeDefined();
      expect(issuer.requests).toBe(2);
      expect(Logger.prototype.warn).toHaveBeenCalledWith(
        expect.objectContaining({ url: issuer.url }),
        'Could not fetch the JWKS; keeping the keys already known',
      );
    });

    it('fails closed once the keys are older than cacheTtl + maxStale', async () => {
      await resolver.resolve(activeKid());
      issuer.respond = (response) => issuer.send(response, 503, { error: 'down' });
      clock += CACHE_TTL + MAX_STALE;
      expect(await resolver.resolve(activeKid())).toBeUndefined();
    });

    it('recovers once the issuer answers again', async () => {
      await resolver.resolve(activeKid());
      issuer.respond = (response) => issuer.send(response, 503, {});
      clock += CACHE_TTL + MAX_STALE;
      await resolver.resolve(activeKid());
      issuer.respond = (response) => issuer.send(response, 200, { keys: issuer.keys });
      clock += MIN_REFETCH;
      expect(await resolver.resolve(activeKid())).toBeDefined();
    });
  });

  describe('what it does not trust', () => {
    it.each([
      ['a key declared EC that carries RSA members', () => ({ ...keys.active.toJwk(), kty: 'EC', kid: 'k' })],
      [
        'an EC key',
        () => ({
          ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
          kid: 'k',
        }),
      ],
      ['an RSA key for another algorithm', () => ({ ...keys.active.toJwk(), kid: 'k', alg: 'RS512' })],
      ['an RSA key for "none"', () => ({ ...keys.active.toJwk(), kid: 'k', alg: 'none' })],
      ['an RSA key for HS256', () => ({ ...keys.active.toJwk(), kid: 'k', alg: 'HS256' })],
      ['an encryption key (use: enc)', () => ({ ...keys.active.toJwk(), kid: 'k', use: 'enc' })],
      [
        'a 1024-bit RSA key',
        () => ({ ...createPublicKey(generateRsaPrivateKeyPem(1024)).export({ format: 'jwk' }), kid: 'k' }),
      ],
      ['an RSA key without n', () => ({ kty: 'RSA', kid: 'k', e: 'AQAB' })],
      ['a symmetric key', () => ({ kty: 'oct', kid: 'k', k: 'c2VjcmV0' })],
    ])('ignores %s in the JWKS, and still uses the good keys next to it', async (_case, jwk) => {
      issuer.keys = [jwk(), keys.active.toJwk()];
      expect(await resolver.resolve('k')).toBeUndefined();
      expect(await resolver.resolve(activeKid())).toBeDefined();
    });

    it('ignores a key without a kid', async () => {
      const { kid: _kid, ...withoutKid } = keys.active.toJwk();
      issuer.keys = [withoutKid];
      expect(await resolver.resolve(activeKid())).toBeUndefined();
    });

    it('accepts an RSA key that does not state use or alg', async () => {
      const { use: _use, alg: _alg, ...bare } = keys.active.toJwk();
      issuer.keys = [bare];
      expect(await resolver.resolve(activeKid())).toBeDefined();
    });

    it.each([
      [
        'a document over 64 KiB',
        (response: ServerResponse) =>
          issuer.send(response, 200, { keys: issuer.keys, padding: 'x'.repeat(70 * 1024) }),
      ],
      ['invalid JSON', (response: ServerResponse) => response.end('{"keys": [')],
      [
        'a document without a keys array',
        (response: ServerResponse) => issuer.send(response, 200, { keys: 'none' }),
      ],
      ['null', (response: ServerResponse) => issuer.send(response, 200, null)],
      ['an error status', (response: ServerResponse) => issuer.send(response, 500, { keys: issuer.keys })],
    ])('refuses %s as a key set', async (_case, respond) => {
      issuer.respond = respond;
      expect(await resolver.resolve(activeKid())).toBeUndefined();
    });

    it('gives up on an issuer that does not answer within timeoutMs', async () => {
      issuer.respond = () => undefined;
      const started = Date.now();
      expect(await newResolver({ timeoutMs: 100 }).resolve(activeKid())).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });
});
