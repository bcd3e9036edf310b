import { Controller, Delete, Get } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditEvent } from '../logging/audit-log.service';
import {
  bearer,
  createTestApp,
  FORGED_SERVICE_TOKENS,
  FORGED_USER_TOKENS,
  HEADER_FORGERIES,
  JwksServer,
  KeyUrlTrap,
  KID_FORGERIES,
  LogCapture,
  TEST_ISSUER,
  TestKeys,
  TestTokens,
} from '../testing';
import { JwksKeyResolver } from '../tokens/jwks-key-resolver';
import { type KeyResolver } from '../tokens/key-resolver';
import { CurrentService, CurrentUser, Roles, Scopes } from './auth.decorators';
import { AuthModule } from './auth.module';
import { type ServicePrincipal, type UserPrincipal } from './principal';

@Controller()
class Routes {
  @Roles('user', 'admin')
  @Get('me')
  me(@CurrentUser() user: UserPrincipal): UserPrincipal {
    return user;
  }

  @Scopes('runs:purge')
  @Delete('runs')
  purge(@CurrentService() caller: ServicePrincipal): ServicePrincipal {
    return caller;
  }
}

/** Records the key ids it is asked for, to show which tokens never reach a key lookup. */
class RecordingResolver implements KeyResolver {
  readonly asked: string[] = [];
  constructor(private readonly inner: KeyResolver) {}
  resolve(kid: string) {
    this.asked.push(kid);
    return this.inner.resolve(kid);
  }
}

interface Verifier {
  resolver: KeyResolver;
  close(): Promise<void>;
}

/** The two ways a service finds its keys: `users` from its own key ring, every other service from the JWKS. */
const verifiers: [string, (keys: TestKeys) => Promise<Verifier>][] = [
  ['the key ring (users)', async (keys) => ({ resolver: keys.ring, close: async () => undefined })],
  [
    'a JWKS (runs, gateway)',
    async (keys) => {
      const jwks = await JwksServer.start(keys.ring.jwks());
      return { resolver: new JwksKeyResolver({ url: jwks.url }), close: () => jwks.close() };
    },
  ],
];

/**
 * Every forgery is refused, with a 401 in the common error shape and an audit line, and no key URL fetched.
 * One capture for both applications of this file: nestjs-pino writes every app's lines to the first one's.
 */
const logs = new LogCapture();

describe.each(verifiers)('AuthModule verifying with %s', (_name, startVerifier) => {
  let keys: TestKeys;
  let tokens: TestTokens;
  let trap: KeyUrlTrap;
  let verifier: Verifier;
  let resolver: RecordingResolver;
  let app: NestFastifyApplication;

  const call = (method: 'GET' | 'DELETE', url: string, token: string) =>
    app.inject({ method, url, headers: bearer(token) });

  const expectRefused = async (method: 'GET' | 'DELETE', url: string, token: string, expected: string) => {
    const response = await call(method, url, token);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'AUTH.UNAUTHENTICATED',
      message: expect.any(String),
      requestId: response.headers['x-request-id'],
    });
    expect(logs.auditEvents(AuditEvent.TokenRejected)).toEqual([
      expect.objectContaining({ audit: expect.objectContaining({ expected }) }),
    ]);
    expect(trap.requests).toEqual([]);
  };

  beforeAll(async () => {
    keys = TestKeys.generate();
    trap = await KeyUrlTrap.start(keys);
    tokens = new TestTokens(keys, { keyUrl: trap.url });
    verifier = await startVerifier(keys);
    resolver = new RecordingResolver(verifier.resolver);
    app = await createTestApp({
      logs,
      imports: [AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: resolver })],
      controllers: [Routes],
    });
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([trap.close(), verifier.close()]);
  });
  beforeEach(() => {
    logs.clear();
    resolver.asked.length = 0;
  });

  it('accepts a valid user token and a valid service token (the control)', async () => {
    expect((await call('GET', '/me', tokens.user())).statusCode).toBe(200);
    expect((await call('DELETE', '/runs', tokens.service(['runs:purge']))).statusCode).toBe(200);
  });

  it.each(FORGED_USER_TOKENS)('refuses a user token %s with 401, and audits it', async (forgery) => {
    await expectRefused('GET', '/me', tokens.forge(forgery, 'user'), 'user token');
  });

  it.each(FORGED_SERVICE_TOKENS)('refuses a service token %s with 401, and audits it', async (forgery) => {
    await expectRefused(
      'DELETE',
      '/runs',
      tokens.forge(forgery, 'service', { scope: 'runs:purge' }),
      'service token',
    );
  });

  it.each([...HEADER_FORGERIES, ...KID_FORGERIES.filter((forgery) => forgery !== 'naming an unknown kid')])(
    'looks up no key for a token %s',
    async (forgery) => {
      await call('GET', '/me', tokens.forge(forgery, 'user'));
      expect(resolver.asked).toEqual([]);
    },
  );

  it('never fetched a URL named in a token header', () => {
    expect(trap.requests).toEqual([]);
  });
});
