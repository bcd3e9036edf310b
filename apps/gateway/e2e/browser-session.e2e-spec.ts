import { CSRF_HEADER, REFRESH_COOKIE } from '@runnerly/security';
import { answerJson } from './support/stub-upstream';
import { GatewayTestApp } from './support/gateway-test-app';

const SITE = 'https://runnerly.example';
const REFRESH_TOKEN = 'rt_first_aaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const NEXT_REFRESH_TOKEN = 'rt_second_bbbbbbbbbbbbbbbbbbbbbbbbbbb';
const COOKIE_ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Strict';

/** What the web client's own page sends: the site's origin, Fetch Metadata, the custom header, JSON. */
const OWN_PAGE = { origin: SITE, 'sec-fetch-site': 'same-origin', [CSRF_HEADER]: '1' };

const tokenPair = (refreshToken: string) =>
  answerJson(200, {
    accessToken: 'header.payload.signature',
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: 900,
  });

let gateway: GatewayTestApp;

beforeAll(async () => {
  gateway = await GatewayTestApp.start({ PUBLIC_ORIGIN: SITE });
}, 60_000);
afterAll(() => gateway?.close());
beforeEach(() => gateway.reset());

const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  gateway.fetch(`/api/auth/browser/${path}`, { method: 'POST', json, headers: { ...OWN_PAGE, ...headers } });

describe('signing in from the web client', () => {
  it('answers the access token alone and puts the refresh token in the HttpOnly cookie', async () => {
    gateway.users.handler = tokenPair(REFRESH_TOKEN);

    const response = await post('login', {
      email: 'ada@runnerly.example',
      password: 'correct horse battery',
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      accessToken: 'header.payload.signature',
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    expect(response.headers.getSetCookie()).toEqual([
      `${REFRESH_COOKIE}=${REFRESH_TOKEN}; ${COOKIE_ATTRIBUTES}`,
    ]);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(gateway.users.last).toMatchObject({ method: 'POST', url: '/auth/login' });
    expect(JSON.parse(gateway.users.last!.body)).toEqual({
      email: 'ada@runnerly.example',
      password: 'correct horse battery',
    });
  });

  it('passes a second-factor challenge through, with no cookie', async () => {
    gateway.users.handler = answerJson(200, {
      secondFactorRequired: true,
      loginToken: 'lt_x',
      expiresIn: 300,
    });

    const response = await post('login', {
      email: 'ada@runnerly.example',
      password: 'correct horse battery',
    });

    expect(await response.json()).toEqual({ secondFactorRequired: true, loginToken: 'lt_x', expiresIn: 300 });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('sets the cookie when the second step completes', async () => {
    gateway.users.handler = tokenPair(REFRESH_TOKEN);

    const response = await post('login/second-factor', { loginToken: 'lt_x', code: '123456' });

    expect(response.status).toBe(200);
    expect(gateway.users.last!.url).toBe('/auth/login/second-factor');
    expect(response.headers.getSetCookie()).toEqual([
      `${REFRESH_COOKIE}=${REFRESH_TOKEN}; ${COOKIE_ATTRIBUTES}`,
    ]);
  });

  it("passes a refused login through as it is, leaving the browser's cookie alone", async () => {
    gateway.users.handler = answerJson(401, { statusCode: 401, code: 'AUTH.INVALID_CREDENTIALS' });

    const response = await post('login', { email: 'ada@runnerly.example', password: 'wrong password here' });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'AUTH.INVALID_CREDENTIALS' });
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('refreshing from the web client', () => {
  it("sends users the cookie's token in a JSON body, never the cookie, and rotates the cookie", async () => {
    gateway.users.handler = tokenPair(NEXT_REFRESH_TOKEN);

    const response = await post(
      'refresh',
      { refreshToken: 'a token the page chose' },
      { cookie: `${REFRESH_COOKIE}=${REFRESH_TOKEN}` },
    );

    expect(response.status).toBe(200);
    expect(await response.json()).not.toHaveProperty('refreshToken');
    expect(response.headers.getSetCookie()).toEqual([
      `${REFRESH_COOKIE}=${NEXT_REFRESH_TOKEN}; ${COOKIE_ATTRIBUTES}`,
    ]);
    expect(gateway.users.last!.url).toBe('/auth/refresh');
    expect(JSON.parse(gateway.users.last!.body)).toEqual({ refreshToken: REFRESH_TOKEN });
    expect(gateway.users.last!.headers).not.toHaveProperty('cookie');
  });

  it('answers 401 without asking users when there is no cookie', async () => {
    const response = await post('refresh', {});

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'AUTH.INVALID_REFRESH_TOKEN' });
    expect(response.headers.getSetCookie()).toEqual([`${REFRESH_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`]);
    expect(gateway.forwardedCount).toBe(0);
  });

  it('clears the cookie when users refuses its token (spent, revoked or expired)', async () => {
    gateway.users.handler = answerJson(401, { statusCode: 401, code: 'AUTH.INVALID_REFRESH_TOKEN' });

    const response = await post('refresh', {}, { cookie: `${REFRESH_COOKIE}=${REFRESH_TOKEN}` });

    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([`${REFRESH_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`]);
  });

  it('answers 502 when the service answers something that is not JSON', async () => {
    gateway.users.handler = (_request, response) => response.writeHead(200).end('<html>');

    const response = await post('refresh', {}, { cookie: `${REFRESH_COOKIE}=${REFRESH_TOKEN}` });

    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: 'UPSTREAM.UNAVAILABLE' });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('answers 502 in the error shape and keeps the cookie when users cannot be reached (an outage signs no one out)', async () => {
    gateway.users.handler = (_request, response) => void response.socket?.destroy();

    const response = await post('refresh', {}, { cookie: `${REFRESH_COOKIE}=${REFRESH_TOKEN}` });

    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ statusCode: 502, code: 'UPSTREAM.UNAVAILABLE' });
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('signing out from the web client', () => {
  it('ends the session in users and clears the cookie', async () => {
    gateway.users.handler = answerJson(204);

    const response = await post('logout', {}, { cookie: `${REFRESH_COOKIE}=${REFRESH_TOKEN}` });

    expect(response.status).toBe(204);
    expect(gateway.users.last!.url).toBe('/auth/logout');
    expect(JSON.parse(gateway.users.last!.body)).toEqual({ refreshToken: REFRESH_TOKEN });
    expect(response.headers.getSetCookie()).toEqual([`${REFRESH_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`]);
  });

  it('clears the cookie without asking users when there is no session', async () => {
    const response = await post('logout', {});

    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie()).toEqual([`${REFRESH_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`]);
    expect(gateway.forwardedCount).toBe(0);
  });
});

describe('a request that did not come from the web client', () => {
  const ROUTES = ['login', 'login/second-factor', 'refresh', 'logout'];
  const FORGERIES: [string, Record<string, string>][] = [
    ['without the custom header', { [CSRF_HEADER]: '' }],
    ['from another origin of the same site', { origin: 'https://blog.runnerly.example' }],
    ['from another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
    ['whose browser says it is cross-site', { 'sec-fetch-site': 'cross-site' }],
  ];

  it.each(ROUTES.flatMap((route) => FORGERIES.map(([what, headers]) => [route, what, headers] as const)))(
    'POST /api/auth/browser/%s %s → 403, nothing forwarded, the cookie untouched',
    async (route, _what, headers) => {
      gateway.users.handler = tokenPair(NEXT_REFRESH_TOKEN);

      const response = await post(route, {}, { ...headers, cookie: `${REFRESH_COOKIE}=${REFRESH_TOKEN}` });

      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: 'AUTH.CROSS_SITE_REQUEST' });
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(gateway.forwardedCount).toBe(0);
    },
  );

  it('refuses a form post (what a cross-site form sends) with 415', async () => {
    const response = await gateway.fetch('/api/auth/browser/logout', {
      method: 'POST',
      headers: {
        ...OWN_PAGE,
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `${REFRESH_COOKIE}=${REFRESH_TOKEN}`,
      },
      body: 'a=1',
    });

    expect(response.status).toBe(415);
    expect(gateway.forwardedCount).toBe(0);
  });

  it('cannot pass the custom header through CORS: it is not an allowed request header', async () => {
    const preflight = await gateway.fetch('/api/auth/browser/refresh', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': CSRF_HEADER,
      },
    });

    expect(preflight.headers.get('access-control-allow-headers') ?? '').not.toContain(CSRF_HEADER);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the bearer API beside it', () => {
  it('still answers login with both tokens in the body, for clients that are not browsers', async () => {
    gateway.users.handler = tokenPair(REFRESH_TOKEN);

    const response = await gateway.fetch('/api/auth/login', {
      method: 'POST',
      json: { email: 'ada@runnerly.example', password: 'correct horse battery' },
    });

    expect(await response.json()).toMatchObject({ refreshToken: REFRESH_TOKEN });
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});
