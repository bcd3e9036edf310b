import { Body, Controller, Get, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsOptional, IsString } from 'class-validator';
import { type InjectOptions } from 'light-my-request';
import { Public } from '../auth/auth.decorators';
import { AuditEvent } from '../logging/audit-log.service';
import { createTestApp, LogCapture } from '../testing';
import { DEFAULT_RATE_LIMITS, type RateLimitOptions } from './rate-limit.options';
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
const limits = (general: number, credentialsPerIp: number, ipv6PrefixLength = 64): RateLimitOptions => ({
  ...DEFAULT_RATE_LIMITS,
  ipv6PrefixLength,
  general: { limit: general, windowMs: MINUTE },
  credentialsPerIp: { limit: credentialsPerIp, windowMs: MINUTE },
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
        imports: [RateLimitModule.forRoot(limits(5, 2))],
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

    beforeAll(async () => {
      app = await createTestApp({
        trustProxyHops: 1,
        controllers: [Routes],
        imports: [RateLimitModule.forRoot(limits(5, 100))],
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

    it('counts the addresses of one IPv6 /64 as one client (a subscriber can take a fresh address per request)', async () => {
      let host = 1;
      const client = behindProxy(() => `2001:db8:aaaa:1::${(host++).toString(16)}`);
      expect(await statusesOf(6, client.ping)).toEqual([...allowed(5), 429]);
    });

    it('counts another /64 of the same provider as another client', async () => {
      await statusesOf(6, behindProxy(() => '2001:db8:bbbb:1::1').ping);
      expect((await behindProxy(() => '2001:db8:bbbb:2::1').ping()).statusCode).toBe(200);
    });

    it('counts an IPv4-mapped IPv6 address as the IPv4 client it is', async () => {
      await statusesOf(5, behindProxy(() => '198.51.100.200').ping);
      expect((await behindProxy(() => '::ffff:198.51.100.200').ping()).statusCode).toBe(429);
    });
  });
});

describe('RateLimitModule with another IPv6 prefix length', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp({
      controllers: [Routes],
      imports: [RateLimitModule.forRoot(limits(5, 100, 48))],
    });
  });
  afterAll(() => app.close());

  it('counts every address of the configured network as one client (here a /48)', async () => {
    let subnet = 1;
    const fromSubnet = () =>
      app.inject({
        method: 'GET',
        url: '/ping',
        remoteAddress: `2001:db8:cccc:${(subnet++).toString(16)}::1`,
      });
    expect(await statusesOf(6, fromSubnet)).toEqual([...allowed(5), 429]);
  });
});
