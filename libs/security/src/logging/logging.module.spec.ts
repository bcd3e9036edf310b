import { Body, Controller, Get, HttpCode, Logger, Post, Res } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsOptional, IsString } from 'class-validator';
import { type FastifyReply } from 'fastify';
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

  @Get('careless-deep')
  carelessDeep(): { ok: true } {
    // Deeper than two levels, in an array, with the header's own capitalisation, and interpolated into the
    // message by a format string.
    this.logger.log(
      {
        a: {
          b: { c: { d: [{ Authorization: `Bearer ${SECRET}-deep-header`, privateKey: `${SECRET}-key` }] } },
        },
      },
      'deep log line',
    );
    this.logger.log('interpolated %j', { refreshToken: `${SECRET}-interpolated` });
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

  /** What the gateway does with an upstream's 503: passes the answer on, with no exception of its own. */
  @Get('passed-on')
  passedOn(@Res() reply: FastifyReply): void {
    void reply.status(503).send({ statusCode: 503, code: 'SERVICE.UNAVAILABLE' });
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

    it('replaces them deeper down, in arrays, whatever their case, and in values a format string interpolates', async () => {
      await app.inject({ method: 'GET', url: '/careless-deep' });
      expect(logs.withMessage('deep log line')[0]).toMatchObject({
        a: { b: { c: { d: [{ Authorization: '[REDACTED]', privateKey: '[REDACTED]' }] } } },
      });
      expect(logs.withMessage('interpolated {"refreshToken":"[REDACTED]"}')).toHaveLength(1);
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

    it('leaves the code and state of an authorization answer (the OpenID Connect callback) out of the url', async () => {
      await app.inject({ method: 'GET', url: `/careless?code=${SECRET}-code&limit=5&state=${SECRET}-state` });
      const [line] = accessLines();
      expect(line!.req).toMatchObject({ url: '/careless?code=[REDACTED]&limit=5&state=[REDACTED]' });
      expect(logs.text).not.toContain(SECRET);
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
      {
        outcome: 'a server error (a bug)',
        method: 'GET',
        url: '/boom',
        level: 'error',
        msg: 'request errored',
      },
      {
        outcome: "an upstream's 503 passed on",
        method: 'GET',
        url: '/passed-on',
        level: 'warn',
        msg: 'request errored',
      },
    ] as const)(
      'logs $outcome at level $level, without a stack trace',
      async ({ method, url, level, msg }) => {
        await app.inject({ method, url, payload: method === 'POST' ? { unexpected: true } : undefined });
        const lines = logs.withMessage(msg);
        expect(lines).toEqual([expect.objectContaining({ level, req: expect.objectContaining({ url }) })]);
        expect(lines[0]).not.toHaveProperty('err');
      },
    );

    it("logs a bug's stack once, on the exception filter's line, not on the access line", async () => {
      await app.inject({ method: 'GET', url: '/boom' });
      const withStack = logs.lines.filter((line) => (line.err as { stack?: unknown } | undefined)?.stack);
      expect(withStack.map((line) => line.msg)).toEqual(['Unhandled error while serving a request']);
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
