import { Body, Controller, Get, HttpCode, Logger, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsOptional, IsString } from 'class-validator';
import { Public } from '../auth/auth.decorators';
import { createTestApp, LogCapture } from '../testing';

const SECRET = 'x9q7-secret';

class LoginDto {
  @IsOptional()
  @IsString()
  password?: string;
}

@Public()
@Controller()
class Routes {
  private readonly logger = new Logger('Routes');

  @Get('careless')
  careless(): { ok: true } {
    // What a developer might log by mistake: every credential field, at several depths.
    this.logger.log(
      {
        password: `${SECRET}-password`,
        refreshToken: `${SECRET}-refresh`,
        accessToken: `${SECRET}-access`,
        clientSecret: `${SECRET}-client`,
        authorization: `Bearer ${SECRET}-header`,
        user: { email: 'ann@example.com', password: `${SECRET}-nested`, newPassword: `${SECRET}-new` },
        request: { body: { currentPassword: `${SECRET}-deep`, token: `${SECRET}-token` } },
      },
      'careless log line',
    );
    return { ok: true };
  }

  @Post('login')
  @HttpCode(200)
  login(@Body() _body: LoginDto): { ok: true } {
    return { ok: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('boom');
  }

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

describe('LoggingModule', () => {
  const logs = new LogCapture();
  let app: NestFastifyApplication;
  const accessLines = () => logs.withMessage('request completed');

  beforeAll(async () => {
    app = await createTestApp({ logs, controllers: [Routes] });
  });
  afterAll(() => app.close());
  beforeEach(() => logs.clear());

  describe('redaction', () => {
    it('replaces credentials at the top level and nested, whatever a developer logs', async () => {
      await app.inject({ method: 'GET', url: '/careless' });
      const [line] = logs.withMessage('careless log line');
      expect(line).toMatchObject({
        password: '[REDACTED]',
        refreshToken: '[REDACTED]',
        accessToken: '[REDACTED]',
        clientSecret: '[REDACTED]',
        authorization: '[REDACTED]',
        user: { email: 'ann@example.com', password: '[REDACTED]', newPassword: '[REDACTED]' },
        request: { body: { currentPassword: '[REDACTED]', token: '[REDACTED]' } },
      });
      expect(logs.text).not.toContain(SECRET);
    });
  });

  describe('access log', () => {
    it('writes one line per request with the request id, method, url and status', async () => {
      const response = await app.inject({ method: 'GET', url: '/careless' });
      expect(accessLines()).toEqual([
        expect.objectContaining({
          level: 'info',
          service: 'test',
          requestId: response.headers['x-request-id'],
          req: expect.objectContaining({ method: 'GET', url: '/careless' }),
          res: { statusCode: 200 },
          responseTime: expect.any(Number),
        }),
      ]);
    });

    it('carries neither headers nor bodies, which may hold credentials', async () => {
      await app.inject({
        method: 'POST',
        url: '/login',
        headers: { authorization: `Bearer ${SECRET}-header`, cookie: `session=${SECRET}-cookie` },
        payload: { password: `${SECRET}-body` },
      });
      const [line] = accessLines();
      expect(Object.keys(line!.req as object).sort()).toEqual(['ip', 'method', 'url']);
      expect(line!.req).toMatchObject({ ip: '127.0.0.1' });
      expect(line).not.toHaveProperty('req.headers');
      expect(logs.text).not.toContain(SECRET);
    });

    it.each([
      { outcome: 'a client error', method: 'POST', url: '/login', level: 'warn', msg: 'request completed' },
      { outcome: 'a server error', method: 'GET', url: '/boom', level: 'error', msg: 'request errored' },
    ] as const)('logs $outcome at level $level', async ({ method, url, level, msg }) => {
      await app.inject({ method, url, payload: method === 'POST' ? { unexpected: true } : undefined });
      expect(logs.withMessage(msg)).toEqual([
        expect.objectContaining({ level, req: expect.objectContaining({ url }) }),
      ]);
    });

    it('leaves health probes out of the access log', async () => {
      await app.inject({ method: 'GET', url: '/health/live' });
      expect(accessLines()).toEqual([]);
    });

    it('ties application log lines to their request by its id', async () => {
      const response = await app.inject({ method: 'GET', url: '/careless' });
      expect(logs.withMessage('careless log line')).toEqual([
        expect.objectContaining({ requestId: response.headers['x-request-id'] }),
      ]);
    });
  });
});
