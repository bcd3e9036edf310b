import { Controller, Delete, Get } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import jwt from 'jsonwebtoken';
import { AuditEvent } from '../logging/audit-log.service';
import { bearer, createTestApp, LogCapture, TEST_ISSUER, TestKeys, TestTokens } from '../testing';
import { RequireRecentAuthentication, Roles } from './auth.decorators';
import { AuthModule } from './auth.module';

@Roles('user', 'admin')
@Controller('account')
class AccountRoutes {
  @Get()
  read(): { ok: true } {
    return { ok: true };
  }

  @RequireRecentAuthentication()
  @Delete()
  remove(): { removed: true } {
    return { removed: true };
  }
}

const MAX_AGE_SECONDS = 600;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

describe('@RequireRecentAuthentication (step-up)', () => {
  const logs = new LogCapture();
  let app: NestFastifyApplication;
  let keys: TestKeys;
  let tokens: TestTokens;

  beforeAll(async () => {
    keys = TestKeys.generate();
    tokens = new TestTokens(keys);
    app = await createTestApp({
      logs,
      imports: [
        AuthModule.forRoot({
          issuer: TEST_ISSUER,
          keyResolver: keys.ring,
          recentAuthenticationSeconds: MAX_AGE_SECONDS,
        }),
      ],
      controllers: [AccountRoutes],
    });
  });
  afterAll(() => app.close());
  beforeEach(() => logs.clear());

  const remove = (token: string) => app.inject({ method: 'DELETE', url: '/account', headers: bearer(token) });

  it('lets a session whose password was entered within the window through', async () => {
    expect((await remove(tokens.user({ authenticatedAt: minutesAgo(9) }))).statusCode).toBe(200);
  });

  it('refuses an older one with 401 AUTH.REAUTHENTICATION_REQUIRED and the RFC 9470 challenge, audited', async () => {
    const userId = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
    const response = await remove(tokens.user({ userId, authenticatedAt: minutesAgo(11) }));

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'AUTH.REAUTHENTICATION_REQUIRED' });
    expect(response.headers['www-authenticate']).toBe(
      `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=${MAX_AGE_SECONDS}`,
    );
    expect(logs.auditEvents(AuditEvent.AccessDenied).map((line) => line.audit)).toEqual([
      expect.objectContaining({ userId, reason: 'requires a recent authentication' }),
    ]);
  });

  it('refuses a token without auth_time (issued before the claim existed): its authentication time is unknown', async () => {
    const { auth_time: _unknown, ...claims } = jwt.decode(tokens.user()) as Record<string, unknown>;
    const withoutAuthTime = jwt.sign(claims, keys.active.privateKey!, {
      algorithm: 'RS256',
      keyid: keys.active.kid,
    });
    expect(
      (await app.inject({ method: 'GET', url: '/account', headers: bearer(withoutAuthTime) })).statusCode,
    ).toBe(200);
    expect((await remove(withoutAuthTime)).statusCode).toBe(401);
  });

  it('refuses a token whose auth_time is not a whole number of seconds, on every route', async () => {
    const claims = jwt.decode(tokens.user()) as Record<string, unknown>;
    const forged = jwt.sign({ ...claims, auth_time: '9999999999' }, keys.active.privateKey!, {
      algorithm: 'RS256',
      keyid: keys.active.kid,
    });
    expect((await app.inject({ method: 'GET', url: '/account', headers: bearer(forged) })).statusCode).toBe(
      401,
    );
  });

  it('asks nothing more on routes without the decorator, however old the login', async () => {
    const old = tokens.user({ authenticatedAt: minutesAgo(24 * 60) });
    expect((await app.inject({ method: 'GET', url: '/account', headers: bearer(old) })).statusCode).toBe(200);
  });
});
