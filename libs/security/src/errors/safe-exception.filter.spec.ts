import { Controller, Get } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Public } from '../auth/auth.decorators';
import { createTestApp, LogCapture } from '../testing';
import { AuditEvent } from '../logging/audit-log.service';
import { AppException, AuditedException } from './app.exception';
import { ErrorCode } from './error-code';

const SQL = 'insert into "accounts" ("password_hash") values ($1) -- x9q7';

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

  @Get('audited')
  audited(): never {
    throw new AuditedException(ErrorCode.Forbidden, 'You are not allowed to do this.', {
      event: AuditEvent.AccessDenied,
      details: { userId: 'ann', reason: 'requires role admin' },
    });
  }
}

describe('SafeExceptionFilter', () => {
  const logs = new LogCapture();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({ logs, controllers: [FailingController] });
  });
  afterAll(() => app.close());
  beforeEach(() => logs.clear());

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
