import { randomUUID } from 'node:crypto';
import { Controller, Get } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditEvent } from '../logging/audit-log.service';
import { SecurityRedis } from '../redis/security-redis';
import {
  bearer,
  createTestApp,
  describeWithRedis,
  LogCapture,
  TEST_ISSUER,
  TestKeys,
  TestTokens,
} from '../testing';
import { CurrentUser, Roles } from './auth.decorators';
import { AuthModule } from './auth.module';
import { type UserPrincipal } from './principal';
import { RevokedSessions } from './revoked-sessions';
import { type SessionValidator } from './session-validator';

@Roles('user', 'admin')
@Controller()
class Routes {
  @Get('me')
  me(@CurrentUser() user: UserPrincipal): UserPrincipal {
    return user;
  }

  @Roles('admin')
  @Get('admin')
  admin(): { admin: true } {
    return { admin: true };
  }
}

/** What a service's database would say about sessions: ended ones, and roles as they are now. */
class FakeSessions implements SessionValidator {
  readonly ended = new Set<string>();
  readonly roles = new Map<string, UserPrincipal['role']>();
  async current(principal: UserPrincipal): Promise<UserPrincipal | null> {
    if (this.ended.has(principal.sessionId)) return null;
    return { ...principal, role: this.roles.get(principal.id) ?? principal.role };
  }
}

describe('AuthModule with a SessionValidator', () => {
  const logs = new LogCapture();
  const sessions = new FakeSessions();
  const keys = TestKeys.generate();
  const tokens = new TestTokens(keys);
  let app: NestFastifyApplication;
  const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: bearer(token) });

  beforeAll(async () => {
    app = await createTestApp({
      logs,
      controllers: [Routes],
      imports: [
        AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: keys.ring, sessionValidator: sessions }),
      ],
    });
  });
  afterAll(() => app.close());

  it('refuses a valid token whose session has ended with 401, and audits why', async () => {
    const sessionId = randomUUID();
    sessions.ended.add(sessionId);
    const response = await get('/me', tokens.user({ sessionId }));

    expect(response.statusCode).toBe(401);
    expect(logs.auditEvents(AuditEvent.TokenRejected).at(-1)).toMatchObject({
      requestId: response.headers['x-request-id'],
      audit: { reason: 'session ended', targetId: sessionId },
    });
  });

  it('hands handlers the principal as it stands now', async () => {
    const userId = randomUUID();
    sessions.roles.set(userId, 'admin');
    expect((await get('/me', tokens.user({ userId }))).json()).toMatchObject({ id: userId, role: 'admin' });
  });

  it('checks @Roles against the current role, not the role the token claims', async () => {
    const userId = randomUUID();
    sessions.roles.set(userId, 'user');
    expect((await get('/admin', tokens.admin({ userId }))).statusCode).toBe(403);
  });
});

describe('AuthModule by default (the list of revoked sessions)', () => {
  const keys = TestKeys.generate();
  const tokens = new TestTokens(keys);
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({
      controllers: [Routes],
      imports: [AuthModule.forRoot({ issuer: TEST_ISSUER, keyResolver: keys.ring })],
    });
  });
  afterAll(() => app.close());

  it('refuses the tokens of a revoked session and accepts the others', async () => {
    const [revoked, live] = [randomUUID(), randomUUID()];
    await app.get(RevokedSessions).revoke([revoked], 60);
    const me = (sessionId: string) =>
      app.inject({ method: 'GET', url: '/me', headers: bearer(tokens.user({ sessionId })) });
    expect((await me(revoked)).statusCode).toBe(401);
    expect((await me(live)).statusCode).toBe(200);
  });
});

describe('RevokedSessions in memory', () => {
  it('forgets a revocation once it has outlived the tokens it was for', async () => {
    const list = new RevokedSessions(null);
    await list.revoke(['s1'], 0.05);
    expect(await list.isRevoked('s1')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await list.isRevoked('s1')).toBe(false);
  });

  it('says it is not shared with other processes', () => {
    expect(new RevokedSessions(null).isShared).toBe(false);
  });
});

describeWithRedis('RevokedSessions in Redis', (redisUrl) => {
  let writer: SecurityRedis;
  let reader: SecurityRedis;
  beforeAll(() => {
    writer = SecurityRedis.connect(redisUrl());
    reader = SecurityRedis.connect(redisUrl());
  });
  afterAll(() => Promise.all([writer.onApplicationShutdown(), reader.onApplicationShutdown()]));

  it('is shared: a session revoked by one service is refused by another, until the entry expires', async () => {
    const sessionId = randomUUID();
    await new RevokedSessions(writer).revoke([sessionId], 60);

    expect(await new RevokedSessions(reader).isRevoked(sessionId)).toBe(true);
    expect(await new RevokedSessions(reader).isRevoked(randomUUID())).toBe(false);
    const ttl = await reader.client.ttl(`runnerly:revoked-session:${sessionId}`);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});

describe('RevokedSessions when Redis is unreachable', () => {
  const redis = SecurityRedis.connect('redis://127.0.0.1:1');
  afterAll(() => redis.onApplicationShutdown());

  it('fails closed with 503 SERVICE.BUSY, both to check and to revoke', async () => {
    const list = new RevokedSessions(redis);
    await expect(list.isRevoked('s1')).rejects.toMatchObject({ code: 'SERVICE.BUSY' });
    await expect(list.revoke(['s1'], 60)).rejects.toMatchObject({ code: 'SERVICE.BUSY' });
  });
});
