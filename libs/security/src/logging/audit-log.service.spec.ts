import { Controller, Global, Module, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Public } from '../auth/auth.decorators';
import { createTestApp, LogCapture } from '../testing';
import { type AuditDetails, AuditEvent, AuditLog } from './audit-log.service';
import { AUDIT_OBSERVER, type AuditObserver } from './audit-observer';

@Public()
@Controller('auth')
class Routes {
  constructor(private readonly audit: AuditLog) {}

  @Post('login')
  login(): { ok: true } {
    this.audit.record(AuditEvent.LoginFailed, {
      account: 'a1b2c3',
      reason: 'wrong password',
      password: 'x9q7-typed',
    });
    return { ok: true };
  }
}

describe('AuditLog', () => {
  const logs = new LogCapture();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({ logs, controllers: [Routes] });
  });
  afterAll(() => app.close());

  it('writes one structured line per event, with audit.event and the request id', async () => {
    const response = await app.inject({ method: 'POST', url: '/auth/login' });
    expect(logs.auditEvents(AuditEvent.LoginFailed)).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'auth.login.failed',
        context: 'audit',
        requestId: response.headers['x-request-id'],
        audit: expect.objectContaining({
          event: 'auth.login.failed',
          account: 'a1b2c3',
          reason: 'wrong password',
        }),
      }),
    ]);
  });

  it('redacts a credential passed as an audit detail', () => {
    expect(logs.auditEvents(AuditEvent.LoginFailed)[0]?.audit).toMatchObject({ password: '[REDACTED]' });
    expect(logs.text).not.toContain('x9q7');
  });

  it('records an event without details', () => {
    app.get(AuditLog).record(AuditEvent.LoggedOut);
    expect(logs.auditEvents(AuditEvent.LoggedOut)).toEqual([
      expect.objectContaining({ audit: { event: 'auth.logged_out' } }),
    ]);
  });

  it('records outside a request too, without a request id', () => {
    app.get(AuditLog).record(AuditEvent.RoleChanged, { userId: 'admin-1', targetId: 'user-2' });
    expect(logs.auditEvents(AuditEvent.RoleChanged)).toEqual([
      expect.objectContaining({
        audit: { event: 'admin.role_changed', userId: 'admin-1', targetId: 'user-2' },
      }),
    ]);
  });
});

describe('AuditLog with an AUDIT_OBSERVER', () => {
  const observed: [string, Readonly<AuditDetails>][] = [];
  const observer: AuditObserver = { observe: (event, details) => observed.push([event, details]) };

  @Global()
  @Module({ providers: [{ provide: AUDIT_OBSERVER, useValue: observer }], exports: [AUDIT_OBSERVER] })
  class ObserverModule {}

  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({ imports: [ObserverModule], controllers: [Routes] });
  });
  afterAll(() => app.close());

  it('tells the observer of every event it records, with its details', async () => {
    await app.inject({ method: 'POST', url: '/auth/login' });
    app.get(AuditLog).record(AuditEvent.LoggedOut);
    expect(observed).toEqual([
      ['auth.login.failed', expect.objectContaining({ account: 'a1b2c3', reason: 'wrong password' })],
      ['auth.logged_out', {}],
    ]);
  });
});
