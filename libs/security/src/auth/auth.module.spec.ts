import { Controller, Delete, Get } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditEvent } from '../logging/audit-log.service';
import { bearer, createTestApp, LogCapture, TEST_ISSUER, TestKeys, TestTokens } from '../testing';
import { type KeyResolver } from '../tokens/key-resolver';
import { CurrentService, CurrentUser, Public, Roles, Scopes } from './auth.decorators';
import { AuthModule } from './auth.module';
import { type ServicePrincipal, type UserPrincipal } from './principal';

@Roles('user', 'admin')
@Controller('api')
class UserRoutes {
  @Get('me')
  me(@CurrentUser() user: UserPrincipal): UserPrincipal {
    return user;
  }

  @Roles('admin')
  @Get('admin')
  admin(): { admin: true } {
    return { admin: true };
  }

  @Public()
  @Get('public')
  open(): { open: true } {
    return { open: true };
  }

  @Get('as-service')
  asService(@CurrentService() caller: ServicePrincipal): ServicePrincipal {
    return caller;
  }
}

@Controller('internal')
class ServiceRoutes {
  @Scopes('runs:purge')
  @Delete('runs')
  purge(@CurrentService() caller: ServicePrincipal): ServicePrincipal {
    return caller;
  }

  @Scopes('runs:read')
  @Get('whoami')
  whoami(@CurrentUser() user: UserPrincipal): UserPrincipal {
    return user;
  }
}

/** The ring, with a switch to make the resolver fail like an unreachable JWKS endpoint. */
class SwitchableResolver implements KeyResolver {
  failing = false;
  constructor(private readonly keys: TestKeys) {}
  resolve(kid: string) {
    return this.failing ? Promise.reject(new Error('JWKS unreachable')) : this.keys.ring.resolve(kid);
  }
}

describe('AuthModule', () => {
  const logs = new LogCapture();
  let keys: TestKeys;
  let tokens: TestTokens;
  let resolver: SwitchableResolver;
  let app: NestFastifyApplication;

  const call = (method: 'GET' | 'DELETE', url: string, token?: string) =>
    app.inject({ method, url, headers: token ? bearer(token) : {} });
  const me = (token?: string) => call('GET', '/api/me', token);
  const purge = (token?: string) => call('DELETE', '/internal/runs', token);

  beforeAll(async () => {
    keys = TestKeys.generate();
    tokens = new TestTokens(keys);
    resolver = new SwitchableResolver(keys);
    app = await createTestApp({
      logs,
      imports: [AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: resolver })],
      controllers: [UserRoutes, ServiceRoutes],
    });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    logs.clear();
    resolver.failing = false;
  });

  // Every forged token of the catalogue is refused in forged-tokens.spec.ts, with both key resolvers.
  describe('user routes (secure by default)', () => {
    it('refuses a request without a token with 401 in the error shape', async () => {
      const response = await me();
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({
        statusCode: 401,
        code: 'AUTH.UNAUTHENTICATED',
        requestId: response.headers['x-request-id'],
      });
    });

    it('accepts a valid user token and hands the principal to @CurrentUser', async () => {
      const authenticatedAt = new Date('2026-12-01T08:00:00Z');
      const response = await me(tokens.user({ userId: 'user-1', sessionId: 'session-1', authenticatedAt }));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        kind: 'user',
        id: 'user-1',
        role: 'user',
        sessionId: 'session-1',
        tokenId: expect.any(String),
        authTime: authenticatedAt.getTime() / 1000,
        secondFactor: false,
      });
    });

    it.each([
      ['a service token', () => tokens.service(['runs:purge'])],
      ['a token that is not a JWT', () => 'not.a.jwt'],
    ])('refuses %s with 401', async (_case, token) => {
      expect((await me(token())).statusCode).toBe(401);
    });

    it('refuses a token sent with another scheme than Bearer', async () => {
      const response = await app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { authorization: `Basic ${tokens.user()}` },
      });
      expect(response.statusCode).toBe(401);
    });

    it('accepts a token that expired less than the clock tolerance (30 s) ago', async () => {
      expect((await me(tokens.expired('user', 10))).statusCode).toBe(200);
    });

    it('refuses a token that expired more than the clock tolerance ago', async () => {
      expect((await me(tokens.expired('user', 45))).statusCode).toBe(401);
    });

    it('refuses every token while the keys cannot be resolved (fails closed)', async () => {
      resolver.failing = true;
      expect((await me(tokens.user())).statusCode).toBe(401);
    });
  });

  describe('audit of refused tokens', () => {
    it('records auth.token.rejected with the reason and the request id for a presented bad token', async () => {
      const response = await me(tokens.forge('that expired an hour ago'));
      expect(logs.auditEvents(AuditEvent.TokenRejected)).toEqual([
        expect.objectContaining({
          requestId: response.headers['x-request-id'],
          audit: { event: 'auth.token.rejected', reason: 'jwt expired', expected: 'user token' },
        }),
      ]);
    });

    it('records nothing when no token was presented', async () => {
      await me();
      expect(logs.auditEvents()).toEqual([]);
    });

    it('never writes the token into the log', async () => {
      const token = tokens.forge('signed by a foreign key under the real kid');
      await me(token);
      expect(logs.text).not.toContain(token.split('.')[2]);
    });
  });

  describe('@Public()', () => {
    it('lets a request without a token through', async () => {
      const response = await call('GET', '/api/public');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ open: true });
    });
  });

  describe('@Roles()', () => {
    it('refuses a user without the role with 403 and audits authz.denied', async () => {
      const response = await call('GET', '/api/admin', tokens.user({ userId: 'user-7' }));
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: 'AUTH.FORBIDDEN' });
      expect(logs.auditEvents(AuditEvent.AccessDenied)).toEqual([
        expect.objectContaining({
          audit: expect.objectContaining({ userId: 'user-7', reason: 'requires role admin' }),
        }),
      ]);
    });

    it('lets an admin through', async () => {
      expect((await call('GET', '/api/admin', tokens.admin())).statusCode).toBe(200);
    });

    it('still refuses an anonymous request with 401, not 403', async () => {
      expect((await call('GET', '/api/admin')).statusCode).toBe(401);
    });
  });

  describe('@Scopes() service routes', () => {
    it('accepts a service token carrying the scope and hands over the service principal', async () => {
      const response = await purge(tokens.service(['runs:read', 'runs:purge'], 'users'));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        kind: 'service',
        clientId: 'users',
        scopes: ['runs:read', 'runs:purge'],
        tokenId: expect.any(String),
      });
    });

    it('refuses a service token lacking the scope with 403 and audits authz.denied', async () => {
      const response = await purge(tokens.service(['runs:read'], 'gateway'));
      expect(response.statusCode).toBe(403);
      expect(logs.auditEvents(AuditEvent.AccessDenied)).toEqual([
        expect.objectContaining({
          audit: expect.objectContaining({ clientId: 'gateway', reason: 'requires scope runs:purge' }),
        }),
      ]);
    });

    it("refuses a user's access token, even an admin's, with 401", async () => {
      expect((await purge(tokens.admin())).statusCode).toBe(401);
      expect(logs.auditEvents(AuditEvent.TokenRejected)).toEqual([
        expect.objectContaining({ audit: expect.objectContaining({ expected: 'service token' }) }),
      ]);
    });

    it('refuses a request without a token with 401', async () => {
      expect((await purge()).statusCode).toBe(401);
    });

    it('@CurrentService() refuses a user principal with 401', async () => {
      expect((await call('GET', '/api/as-service', tokens.user())).statusCode).toBe(401);
    });

    it('@CurrentUser() refuses a service principal with 401', async () => {
      expect((await call('GET', '/internal/whoami', tokens.service(['runs:read']))).statusCode).toBe(401);
    });
  });
});

describe('AuthModule in two applications of one process', () => {
  it('verifies each application with its own keys, whichever started last', async () => {
    const start = async (keys: TestKeys) =>
      createTestApp({
        imports: [AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: keys.ring })],
        controllers: [UserRoutes],
      });
    const [firstKeys, secondKeys] = [TestKeys.generate(), TestKeys.generate()];
    const first = await start(firstKeys);
    const second = await start(secondKeys);
    try {
      const me = (app: NestFastifyApplication, keys: TestKeys) =>
        app.inject({ method: 'GET', url: '/api/me', headers: bearer(new TestTokens(keys).user()) });

      expect((await me(first, firstKeys)).statusCode).toBe(200);
      expect((await me(first, secondKeys)).statusCode).toBe(401);
      expect((await me(second, secondKeys)).statusCode).toBe(200);
      await second.close();
      expect((await me(first, firstKeys)).statusCode).toBe(200);
    } finally {
      await first.close();
    }
  });
});

describe('AuthModule with admin powers needing a second factor', () => {
  const keys = TestKeys.generate();
  const tokens = new TestTokens(keys);
  let app: NestFastifyApplication;
  const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: bearer(token) });

  beforeAll(async () => {
    app = await createTestApp({
      imports: [
        AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: keys.ring, adminSecondFactorRequired: true }),
      ],
      controllers: [UserRoutes],
    });
  });
  afterAll(() => app.close());

  it('refuses an admin route to an admin whose session entered no second factor, with 403 saying why', async () => {
    const response = await get('/api/admin', tokens.admin({ secondFactor: false }));

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'AUTH.SECOND_FACTOR_REQUIRED' });
  });

  it('lets that admin act as a user meanwhile (to turn two-factor on)', async () => {
    const response = await get('/api/me', tokens.admin({ secondFactor: false }));

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ role: 'user', withheldRole: 'admin' });
  });

  it('opens admin routes to an admin whose session entered a second factor', async () => {
    expect((await get('/api/admin', tokens.admin({ secondFactor: true }))).statusCode).toBe(200);
  });

  it('changes nothing for users, with or without a second factor', async () => {
    expect((await get('/api/me', tokens.user())).statusCode).toBe(200);
    expect((await get('/api/admin', tokens.user({ secondFactor: true }))).json()).toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
  });
});
