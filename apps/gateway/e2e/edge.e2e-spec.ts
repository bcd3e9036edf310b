import { GatewayTestApp } from './support/gateway-test-app';

let gateway: GatewayTestApp;
let token: string;

beforeAll(async () => {
  gateway = await GatewayTestApp.start({
    CORS_ORIGINS: 'https://app.runnerly.example',
    BODY_LIMIT_BYTES: '2048',
  });
  token = gateway.tokens.user();
}, 60_000);

afterAll(() => gateway?.close());
beforeEach(() => gateway.reset());

describe('headers a client sends', () => {
  it("reach a service only if they are on the allowlist; forwarding headers are the gateway's own", async () => {
    const response = await gateway.fetch('/api/runs', {
      token,
      headers: {
        'x-forwarded-for': '6.6.6.6',
        'x-real-ip': '6.6.6.6',
        'x-request-id': 'forged-request-id',
        'x-user-id': 'someone-else',
        'x-internal-admin': 'true',
        cookie: 'session=abc',
        accept: 'application/json',
      },
    });
    const seen = gateway.runs.last!.headers;

    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-request-id']).toBe(response.headers.get('x-request-id'));
    expect(seen['x-request-id']).not.toBe('forged-request-id');
    for (const dropped of ['x-real-ip', 'x-user-id', 'x-internal-admin', 'cookie'])
      expect(seen).not.toHaveProperty(dropped);
    expect(seen).toMatchObject({ authorization: `Bearer ${token}`, accept: 'application/json' });
  });

  it('pass an Idempotency-Key to the service unchanged, for it to keep the first answer', async () => {
    await gateway.fetch('/api/runs', {
      method: 'POST',
      token,
      json: {},
      headers: { 'idempotency-key': '8e03978e-40d5-43e8-bc93-6894a57f9324' },
    });
    expect(gateway.runs.last!.headers['idempotency-key']).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
  });
});

describe('headers a service sends', () => {
  it("reach the client only if they are on the allowlist, under the gateway's security headers", async () => {
    gateway.runs.handler = (_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'private, max-age=5',
        server: 'runs/1.2.3',
        'x-powered-by': 'Express',
        'set-cookie': 'tracking=1',
        'x-debug-sql': 'SELECT * FROM runs',
        'access-control-allow-origin': '*',
        'idempotency-replayed': 'true',
      });
      response.end('{}');
    };
    const response = await gateway.fetch('/api/runs', { token });

    expect(response.headers.get('cache-control')).toBe('private, max-age=5');
    expect(response.headers.get('idempotency-replayed')).toBe('true');
    for (const dropped of [
      'server',
      'x-powered-by',
      'set-cookie',
      'x-debug-sql',
      'access-control-allow-origin',
    ]) {
      expect(response.headers.get(dropped)).toBeNull();
    }
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('marks responses no-store when the service does not choose', async () => {
    expect((await gateway.fetch('/api/runs', { token })).headers.get('cache-control')).toBe('no-store');
  });
});

describe('bodies', () => {
  it('refuses a body over the limit with 413, forwarding nothing', async () => {
    const response = await gateway.fetch('/api/auth/register', {
      method: 'POST',
      json: { padding: 'x'.repeat(4096) },
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ statusCode: 413, code: 'REQUEST.PAYLOAD_TOO_LARGE' });
    expect(gateway.forwardedCount).toBe(0);
  });

  it.each([
    ['a form', 'application/x-www-form-urlencoded', 'email=a%40b.c'],
    ['plain text', 'text/plain', '{"email":"a@b.c"}'],
  ])('refuses %s with 415: the API takes JSON only', async (_case, contentType, body) => {
    const response = await gateway.fetch('/api/auth/login', {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });
    expect(response.status).toBe(415);
    expect(gateway.forwardedCount).toBe(0);
  });

  it('refuses malformed JSON with 400 and never echoes it', async () => {
    const response = await gateway.fetch('/api/auth/login', {
      method: 'POST',
      body: '{"email": "probe-xyz',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('probe-xyz');
  });

  it('refuses prototype-poisoning JSON with 400', async () => {
    const response = await gateway.fetch('/api/auth/login', {
      method: 'POST',
      body: '{"email":"a@b.c","__proto__":{"role":"admin"}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(gateway.forwardedCount).toBe(0);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    gateway.fetch('/api/runs', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });

  it('allows an origin on the allowlist', async () => {
    const response = await preflight('https://app.runnerly.example');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.runnerly.example');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets a browser send an Idempotency-Key and read Idempotency-Replayed', async () => {
    const preflighted = await preflight('https://app.runnerly.example');
    expect(preflighted.headers.get('access-control-allow-headers')).toContain('Idempotency-Key');

    const response = await gateway.fetch('/api/runs', {
      token,
      headers: { origin: 'https://app.runnerly.example' },
    });
    expect(response.headers.get('access-control-expose-headers')).toContain('Idempotency-Replayed');
  });

  it('gives any other origin nothing to work with', async () => {
    const response = await preflight('https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(gateway.forwardedCount).toBe(0);
  });
});

describe('API docs', () => {
  it('are not served outside development', async () => {
    expect((await gateway.fetch('/docs')).status).toBe(404);
    expect((await gateway.fetch('/docs/openapi.json')).status).toBe(404);
  });
});
