import { Controller, Get, Global, Module } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Public } from '../auth/auth.decorators';
import { createTestApp, LogCapture } from '../testing';
import { AuditEvent } from '../logging/audit-log.service';
import { AppException, AuditedException } from './app.exception';
import { DEPENDENCY_OUTAGE } from './dependency-outage';
import { ErrorCode } from './error-code';

const SQL = 'insert into "accounts" ("password_hash") values ($1) -- x9q7';

class DatabaseDown extends Error {}

/** What a dependency's module (the database module) provides: its own outage classifier. */
@Global()
@Module({
  providers: [{ provide: DEPENDENCY_OUTAGE, useValue: (error: unknown) => error instanceof DatabaseDown }],
  exports: [DEPENDENCY_OUTAGE],
})
class DependencyModule {}

@Public()
@Controller('fail')
class FailingController {
  @Get('unexpected')
  unexpected(): never {
    throw new Error(SQL);
  }

  @Get('expected')
  expected(): never {
    throw new AppException(ErrorCode.Conflict, 'That email is already registered.');
  }

  @Get('outage')
  outage(): never {
    throw new DatabaseDown('connect ECONNREFUSED 10.0.0.5:5432');
  }

  @Get('audited')
  audited(): never {
    throw new AuditedException(ErrorCode.Forbidden, 'You are not allowed to do this.', {
      event: AuditEvent.AccessDenied,
      details: { userId: 'ann', reason: 'requires role admin' },
    });
  }
}

// One capture for every app of this file: Nest's static Logger writes through the first app's logger.
const logs = new LogCapture();
beforeEach(() => logs.clear());

describe('SafeExceptionFilter', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({ logs, controllers: [FailingController] });
  });
  afterAll(() => app.close());

  it('answers an unexpected error with a bare 500 in the error shape, and logs the details with the request id', async () => {
    const response = await app.inject({ method: 'GET', url: '/fail/unexpected' });
    const requestId = response.headers['x-request-id'];

    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL',
      message: 'Internal server error.',
      requestId,
    });
    expect(response.body).not.toContain('x9q7');
    expect(logs.withMessage('Unhandled error while serving a request')).toEqual([
      expect.objectContaining({ level: 'error', requestId, err: expect.objectContaining({ message: SQL }) }),
    ]);
  });

  it('answers an expected error with its code and message, without logging it as an error', async () => {
    const response = await app.inject({ method: 'GET', url: '/fail/expected' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      code: 'RESOURCE.CONFLICT',
      message: 'That email is already registered.',
    });
    expect(logs.withMessage('Unhandled error while serving a request')).toEqual([]);
    expect(logs.auditEvents()).toEqual([]);
  });

  it('records an audited refusal as one audit line with the request id, and answers it like any expected error', async () => {
    const response = await app.inject({ method: 'GET', url: '/fail/audited' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({
      code: 'AUTH.FORBIDDEN',
      message: 'You are not allowed to do this.',
    });
    expect(logs.auditEvents()).toEqual([
      expect.objectContaining({
        requestId: response.headers['x-request-id'],
        audit: { event: 'authz.denied', userId: 'ann', reason: 'requires role admin' },
      }),
    ]);
  });
});

describe('SafeExceptionFilter with a dependency outage classifier', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({ logs, imports: [DependencyModule], controllers: [FailingController] });
  });
  afterAll(() => app.close());

  it('answers an outage with 503 SERVICE.UNAVAILABLE, Retry-After and the safe shape, and logs the cause', async () => {
    const response = await app.inject({ method: 'GET', url: '/fail/outage' });
    const requestId = response.headers['x-request-id'];

    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SERVICE.UNAVAILABLE',
      message: 'The service is temporarily unavailable. Retry later.',
      requestId,
    });
    expect(response.body).not.toContain('10.0.0.5');
    expect(logs.withMessage('A dependency is unavailable: answered 503')).toEqual([
      expect.objectContaining({
        level: 'error',
        requestId,
        err: expect.objectContaining({ message: expect.stringContaining('ECONNREFUSED') }),
      }),
    ]);
  });

  it('still answers any other unexpected error with the bare 500', async () => {
    const response = await app.inject({ method: 'GET', url: '/fail/unexpected' });
    expect(response.statusCode).toBe(500);
    expect(response.headers['retry-after']).toBeUndefined();
  });
});

describe('SafeExceptionFilter without a classifier', () => {
  it('answers an outage like any unexpected error: a bare 500', async () => {
    const app = await createTestApp({ controllers: [FailingController] });
    try {
      const response = await app.inject({ method: 'GET', url: '/fail/outage' });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ code: 'INTERNAL' });
    } finally {
      await app.close();
    }
  });
});
