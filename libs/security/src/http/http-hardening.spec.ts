import { Controller, Get, Header, Param, Post, Body } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, MaxLength } from 'class-validator';
import { Public } from '../auth/auth.decorators';
import { createTestApp } from '../testing';
import { ALLOWED_METHODS } from './http-hardening';

class NoteDto {
  @IsString()
  @MaxLength(5000)
  text!: string;
}

@Public()
@Controller()
class Routes {
  @Get('api/item')
  item(): { ok: true } {
    return { ok: true };
  }

  @Post('api/notes')
  note(@Body() body: NoteDto): { length: number } {
    return { length: body.text.length };
  }

  @Get('api/cached')
  @Header('Cache-Control', 'public, max-age=60')
  cached(): { ok: true } {
    return { ok: true };
  }

  @Get('api/items/:id')
  one(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Get('docs/index.html')
  docs(): string {
    return '<html></html>';
  }
}

@Public()
@Controller('api/other-notes')
class OtherNotes {
  @Post()
  note(@Body() body: NoteDto): { length: number } {
    return { length: body.text.length };
  }
}

const ALLOWED_ORIGIN = 'https://app.runnerly.test';
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const listOf = (header: unknown) =>
  String(header)
    .split(',')
    .map((entry) => entry.trim());
const errorShape = (statusCode: number, code: string) => ({
  statusCode,
  error: expect.any(String),
  code,
  message: expect.any(String),
  requestId: expect.stringMatching(UUID),
});

describe('HTTP hardening (createServiceApp)', () => {
  let app: NestFastifyApplication;
  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });
  const postNote = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/api/notes', headers: { 'content-type': contentType }, payload });

  beforeAll(async () => {
    app = await createTestApp({
      controllers: [Routes],
      corsOrigins: [ALLOWED_ORIGIN],
      docsPathPrefix: '/docs',
      bodyLimitBytes: 1024,
    });
  });
  afterAll(() => app.close());

  describe('security headers', () => {
    it.each([
      ['x-content-type-options', 'nosniff'],
      ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
      ['content-security-policy', API_CSP],
      ['x-frame-options', 'DENY'],
      ['referrer-policy', 'no-referrer'],
      ['cross-origin-resource-policy', 'same-origin'],
      ['cross-origin-opener-policy', 'same-origin'],
    ])('sends %s: %s', async (header, value) => {
      expect((await get('/api/item')).headers[header]).toBe(value);
    });

    it('does not advertise the server technology (no x-powered-by)', async () => {
      expect((await get('/api/item')).headers).not.toHaveProperty('x-powered-by');
    });

    it('sends the strict CSP on errors too', async () => {
      expect((await get('/nowhere')).headers['content-security-policy']).toBe(API_CSP);
    });

    it('relaxes the CSP under the docs path only, for the API explorer', async () => {
      for (const path of ['/docs', '/docs/index.html']) {
        const csp = (await get(path)).headers['content-security-policy'];
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
      }
      expect((await get('/docsX')).headers['content-security-policy']).toContain("default-src 'none'");
    });
  });

  describe('CORS allowlist', () => {
    it('allows an origin on the list', async () => {
      const response = await get('/api/item', { origin: ALLOWED_ORIGIN });
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('gives another origin no CORS permission', async () => {
      expect(
        (await get('/api/item', { origin: 'https://evil.example' })).headers['access-control-allow-origin'],
      ).toBeUndefined();
    });

    it('answers the preflight of an allowed origin with the allowed methods and headers', async () => {
      const response = await app.inject({
        method: 'OPTIONS',
        url: '/api/notes',
        headers: {
          origin: ALLOWED_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.statusCode).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(listOf(response.headers['access-control-allow-methods'])).toEqual([
        'GET',
        'POST',
        'PATCH',
        'DELETE',
      ]);
      expect(listOf(response.headers['access-control-allow-headers'])).toEqual([
        'Authorization',
        'Content-Type',
        'X-Request-Id',
        'Idempotency-Key',
      ]);
    });

    it('does not allow the preflight of another origin', async () => {
      const response = await app.inject({
        method: 'OPTIONS',
        url: '/api/notes',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('methods', () => {
    it.each(['TRACE', 'PUT', 'PROPFIND'] as const)(
      'refuses %s with 405, Allow and the error shape',
      async (method) => {
        const response = await app.inject({ method, url: '/api/item' });
        expect(response.statusCode).toBe(405);
        expect(response.headers.allow).toBe(ALLOWED_METHODS.join(', '));
        expect(response.json()).toEqual(errorShape(405, 'REQUEST.METHOD_NOT_ALLOWED'));
      },
    );

    it('answers HEAD on a GET route', async () => {
      expect((await app.inject({ method: 'HEAD', url: '/api/item' })).statusCode).toBe(200);
    });
  });

  describe('request bodies', () => {
    it('accepts a JSON body within the limit', async () => {
      const response = await postNote(JSON.stringify({ text: 'x'.repeat(900) }));
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ length: 900 });
    });

    it('refuses a body over the limit with 413 in the error shape', async () => {
      const response = await postNote(JSON.stringify({ text: 'x'.repeat(2000) }));
      expect(response.statusCode).toBe(413);
      expect(response.json()).toEqual(errorShape(413, 'REQUEST.PAYLOAD_TOO_LARGE'));
    });

    it('refuses malformed JSON with 400, without echoing it', async () => {
      const response = await postNote('{"text": x9q7-not-json');
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(errorShape(400, 'REQUEST.MALFORMED'));
      expect(response.body).not.toContain('x9q7');
    });

    it('refuses a JSON body that tries to set __proto__ with 400', async () => {
      const response = await postNote('{"text": "a", "__proto__": {"isAdmin": true}}');
      expect(response.statusCode).toBe(400);
    });

    it('refuses a text/plain body with 415 (a cross-site form can send one without a CORS preflight)', async () => {
      const response = await postNote('{"text": "hello"}', 'text/plain');
      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual(errorShape(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'));
    });

    it('refuses an unknown content type with 415', async () => {
      expect((await postNote('<note/>', 'application/xml')).statusCode).toBe(415);
    });

    it('refuses a form body with 415 where the service did not ask for form bodies (a cross-site form sends one)', async () => {
      const response = await postNote('text=hello', 'application/x-www-form-urlencoded');
      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual(errorShape(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'));
    });
  });

  describe('caching', () => {
    it('forbids caching by default (responses may hold personal data)', async () => {
      expect((await get('/api/item')).headers['cache-control']).toBe('no-store');
      expect((await get('/nowhere')).headers['cache-control']).toBe('no-store');
    });

    it("keeps a route's own Cache-Control", async () => {
      expect((await get('/api/cached')).headers['cache-control']).toBe('public, max-age=60');
    });
  });

  describe('request ids', () => {
    it('sends a fresh x-request-id on every response, errors included', async () => {
      const responses = await Promise.all([
        get('/api/item'),
        get('/nowhere'),
        app.inject({ method: 'TRACE', url: '/' }),
      ]);
      const ids = responses.map((response) => response.headers['x-request-id']);
      expect(ids).toEqual([
        expect.stringMatching(UUID),
        expect.stringMatching(UUID),
        expect.stringMatching(UUID),
      ]);
      expect(new Set(ids).size).toBe(3);
    });

    it("puts the response's request id in the error body", async () => {
      const response = await get('/nowhere');
      expect(response.json().requestId).toBe(response.headers['x-request-id']);
    });

    it('does not take a request id from the client at the edge', async () => {
      expect((await get('/api/item', { 'x-request-id': 'client-chosen' })).headers['x-request-id']).toMatch(
        UUID,
      );
    });
  });

  describe('routing', () => {
    it('answers an unknown route with 404 in the error shape', async () => {
      const response = await get('/nowhere');
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual(errorShape(404, 'RESOURCE.NOT_FOUND'));
    });

    it('accepts a path parameter of up to 200 characters', async () => {
      expect((await get(`/api/items/${'a'.repeat(200)}`)).statusCode).toBe(200);
    });

    it.each([
      ['a path parameter over 200 characters', `/api/items/${'x9q7'.repeat(60)}`, 414],
      ['a path with broken percent-encoding', '/api/items/x9q7%E0%A4%A', 400],
    ])('refuses %s in the error shape, without quoting the path', async (_case, url, status) => {
      const response = await get(url);
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual(errorShape(status, 'REQUEST.MALFORMED'));
      expect(response.json().requestId).toBe(response.headers['x-request-id']);
      expect(response.body).not.toContain('x9q7');
    });
  });
});

describe('HTTP hardening with other options', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp({ controllers: [Routes], corsOrigins: [], trustIncomingRequestId: true });
  });
  afterAll(() => app.close());

  it('sends no CORS headers at all when the allowlist is empty', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/item',
      headers: { origin: ALLOWED_ORIGIN },
    });
    expect(Object.keys(response.headers).filter((header) => header.startsWith('access-control-'))).toEqual(
      [],
    );
  });

  it('sends the strict CSP everywhere when there is no docs prefix', async () => {
    expect(
      (await app.inject({ method: 'GET', url: '/docs/index.html' })).headers['content-security-policy'],
    ).toBe(API_CSP);
  });

  it('takes a well-formed request id from the gateway when trusted', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/item',
      headers: { 'x-request-id': 'gw-7f3a.1' },
    });
    expect(response.headers['x-request-id']).toBe('gw-7f3a.1');
  });

  it('replaces a malformed incoming request id even when trusted', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/item',
      headers: { 'x-request-id': 'forged id","level":"fatal' },
    });
    expect(response.headers['x-request-id']).toMatch(UUID);
  });
});

describe('createServiceApp with formBodyRoutes (an OAuth token endpoint takes form bodies)', () => {
  let app: NestFastifyApplication;
  const postForm = (payload: string, url = '/api/notes') =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      payload,
    });

  beforeAll(async () => {
    app = await createTestApp({
      controllers: [Routes, OtherNotes],
      bodyLimitBytes: 1024,
      formBodyRoutes: ['/api/notes'],
    });
  });
  afterAll(() => app.close());

  it('parses a form body into the same validated DTO as JSON', async () => {
    const response = await postForm('text=hello');
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ length: 5 });
  });

  it('refuses a form with 415 on every route it was not declared for (a cross-site form cannot reach them)', async () => {
    const response = await postForm('text=hello', '/api/other-notes');
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual(errorShape(415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'));
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/other-notes',
          headers: { 'content-type': 'application/json' },
          payload: '{"text":"hello"}',
        })
      ).statusCode,
    ).toBe(201);
  });

  it('holds form bodies to the same body limit (413)', async () => {
    const response = await postForm(`text=${'x'.repeat(2000)}`);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual(errorShape(413, 'REQUEST.PAYLOAD_TOO_LARGE'));
  });
});
