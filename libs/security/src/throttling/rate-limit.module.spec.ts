import { Body, Controller, Get, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsOptional, IsString } from 'class-validator';
import { type InjectOptions } from 'light-my-request';
import { Public } from '../auth/auth.decorators';
import { AuditEvent } from '../logging/audit-log.service';
import { createTestApp, LogCapture } from '../testing';
import { type RateLimitOptions } from './rate-limit.options';
import { RateLimitModule } from './rate-limit.module';
import { CredentialsEndpoint, SkipRateLimit } from './throttling.constants';

class LoginDto {
  @IsOptional()
  @IsString()
  email?: string;
}

@Public()
@Controller()
class Routes {
  @Get('ping')
  ping(): { pong: true } {
    return { pong: true };
  }

  @CredentialsEndpoint()
  @Post('login')
  login(@Body() _body: LoginDto): { ok: true } {
    return { ok: true };
  }

  @SkipRateLimit()
  @Get('probe')
  probe(): { ok: true } {
    return { ok: true };
  }
}

const MINUTE = 60_000;
const limits = (
  general: number,
  credentialsPerIp: number,
  credentialsPerAccount: number,
): RateLimitOptions => ({
  general: { limit: general, windowMs: MINUTE },
  credentialsPerIp: { limit: credentialsPerIp, windowMs: MINUTE },
  credentialsPerAccount: { limit: credentialsPerAccount, windowMs: 15 * MINUTE },
});

/** A client of the app: every request from one socket address, unless a test says otherwise. */
function clientOf(app: () => NestFastifyApplication, remoteAddress: string, forwardedFor?: () => string) {
  const send = (options: InjectOptions) =>
    app().inject({
      remoteAddress,
      ...options,
      headers: { ...(forwardedFor ? { 'x-forwarded-for': forwardedFor() } : {}), ...options.headers },
    });
  return {
    ping: () => send({ method: 'GET', url: '/ping' }),
    probe: () => send({ method: 'GET', url: '/probe' }),
    login: (email?: string) =>
      send({ method: 'POST', url: '/login', payload: email === undefined ? {} : { email } }),
  };
}

async function statusesOf(count: number, request: () => Promise<{ statusCode: number }>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await request()).statusCode);
  return statuses;
}

const allowed = (count: number) => Array<number>(count).fill(200);
const created = (count: number) => Array<number>(count).fill(201);

describe('RateLimitModule (memory storage)', () => {
  describe('without trusted proxies', () => {
    let app: NestFastifyApplication;
    const logs = new LogCapture();
    let nextAddress = 1;
    const newClient = (forwardedFor?: () => string) =>
      clientOf(() => app, `192.0.2.${nextAddress++}`, forwardedFor);

    beforeAll(async () => {
      app = await createTestApp({
        logs,
        controllers: [Routes],
        imports: [RateLimitModule.forRoot(limits(5, 2, 100))],
      });
    });
    afterAll(() => app.close());

    it('answers 429 past the general limit, with Retry-After and the error shape', async () => {
      const client = newClient();
      expect(await statusesOf(5, client.ping)).toEqual(allowed(5));

      const refused = await client.ping();
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.json()).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        code: 'RATE_LIMIT.EXCEEDED',
        message: 'Too many requests. Retry later.',
        requestId: refused.headers['x-request-id'],
      });
      const audited = logs.auditEvents(AuditEvent.RateLimited).at(-1);
      expect(audited).toMatchObject({
        requestId: refused.headers['x-request-id'],
        audit: { client: '192.0.2.1' },
      });
    });

    it('keeps blocking a client that goes on sending', async () => {
      const client = newClient();
      expect(await statusesOf(8, client.ping)).toEqual([...allowed(5), 429, 429, 429]);
    });

    it('counts every client separately', async () => {
      await statusesOf(6, newClient().ping);
      expect((await newClient().ping()).statusCode).toBe(200);
    });

    it('counts a client on all routes together, so a flood cannot be spread over routes', async () => {
      const client = newClient();
      await statusesOf(3, client.ping);
      await statusesOf(2, () => client.login());
      expect((await client.ping()).statusCode).toBe(429);
    });

    it('applies the strict per-IP limit to credentials endpoints', async () => {
      const client = newClient();
      expect(await statusesOf(3, () => client.login())).toEqual([...created(2), 429]);
    });

    it('leaves the rest of the API open to a client that exhausted the credentials limit', async () => {
      const client = newClient();
      await statusesOf(3, () => client.login());
      expect((await client.ping()).statusCode).toBe(200);
    });

    it('does not spend the credentials limit on other routes', async () => {
      const client = newClient();
      await statusesOf(3, client.ping);
      expect(await statusesOf(2, () => client.login())).toEqual(created(2));
    });

    it('exempts routes marked @SkipRateLimit()', async () => {
      const client = newClient();
      expect(await statusesOf(10, client.probe)).toEqual(allowed(10));
    });

    it('ignores a spoofed X-Forwarded-For: the client stays the socket peer', async () => {
      let spoofed = 0;
      const client = newClient(() => `203.0.113.${spoofed++}`);
      expect(await statusesOf(6, client.ping)).toEqual([...allowed(5), 429]);
    });
  });

  describe('behind one trusted proxy', () => {
    let app: NestFastifyApplication;
    let nextAddress = 1;
    const PROXY = '10.0.0.2';
    /** A client behind the proxy: the proxy appends the address it sees, after whatever the client sent. */
    const behindProxy = (clientAddress: () => string, sentByClient = () => '') =>
      clientOf(
        () => app,
        PROXY,
        () => [sentByClient(), clientAddress()].filter(Boolean).join(', '),
      );
    const fixed = () => {
      const address = `198.51.100.${nextAddress++}`;
      return () => address;
    };
    let rotating = 0;
    const everyTimeAnother = () => `203.0.113.${rotating++ % 250}`;

    beforeAll(async () => {
      app = await createTestApp({
        trustProxyHops: 1,
        controllers: [Routes],
        imports: [RateLimitModule.forRoot(limits(5, 100, 2))],
      });
    });
    afterAll(() => app.close());

    it('takes the client from the last X-Forwarded-For entry, so clients behind one proxy are told apart', async () => {
      await statusesOf(6, behindProxy(fixed()).ping);
      expect((await behindProxy(fixed()).ping()).statusCode).toBe(200);
    });

    it('ignores entries a client prepends to X-Forwarded-For', async () => {
      let fake = 0;
      const client = behindProxy(fixed(), () => `1.2.3.${fake++}, 4.5.6.${fake}`);
      expect(await statusesOf(6, client.ping)).toEqual([...allowed(5), 429]);
    });

    it('limits attempts per account across client addresses (credential stuffing from many IPs)', async () => {
      const attacker = behindProxy(everyTimeAnother);
      expect(await statusesOf(3, () => attacker.login('ann@example.com'))).toEqual([...created(2), 429]);
    });

    it('treats differently written forms of one email as one account', async () => {
      const attacker = behindProxy(everyTimeAnother);
      await statusesOf(2, () => attacker.login('bob@example.com'));
      expect((await attacker.login(' BOB@Example.com')).statusCode).toBe(429);
    });

    it('counts each account separately', async () => {
      const client = behindProxy(everyTimeAnother);
      await statusesOf(3, () => client.login('carol@example.com'));
      expect((await client.login('dave@example.com')).statusCode).toBe(201);
    });

    it('applies no per-account limit where no account is named (a refresh): only the per-address one', async () => {
      // The per-account limit is 2 here: falling back to the address would block the third call, and
      // everyone behind one NAT would share that tiny budget.
      const client = behindProxy(fixed());
      expect(await statusesOf(3, () => client.login())).toEqual(created(3));
    });
  });
});
