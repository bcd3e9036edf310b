import { CSRF_HEADER, ErrorCode, OIDC_BINDING_COOKIE, REFRESH_COOKIE } from '@runnerly/security';
import { answerJson, type StubHandler } from './support/stub-upstream';
import { GatewayTestApp } from './support/gateway-test-app';

const SITE = 'https://runnerly.example';
const BINDING = 'b'.repeat(43);
const REFRESH_TOKEN = 'rt_oidc_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const AUTHORIZATION_URL = 'https://id.example.com/authorize?client_id=runnerly&state=s1';
const BINDING_ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Lax';
const EXPIRED_BINDING = `${OIDC_BINDING_COOKIE}=; ${BINDING_ATTRIBUTES}; Max-Age=0`;

/** users dropping the connection without an answer: the gateway has only its own 502 to give. */
const dropConnection: StubHandler = (_request, response) => void response.socket?.destroy();

let gateway: GatewayTestApp;

beforeAll(async () => {
  gateway = await GatewayTestApp.start({ PUBLIC_ORIGIN: SITE });
}, 60_000);
afterAll(() => gateway?.close());
beforeEach(() => gateway.reset());

/** A top-level navigation: the browser follows no redirect here, the test reads it. */
const navigate = (path: string, cookie?: string) =>
  gateway.fetch(path, { redirect: 'manual', headers: cookie ? { cookie } : {} });

describe('starting a sign-in at the provider', () => {
  it('sends the browser to the provider with a SameSite=Lax binding cookie, and users gets no cookie', async () => {
    gateway.users.handler = answerJson(201, { authorizationUrl: AUTHORIZATION_URL, binding: BINDING });

    const response = await navigate('/api/auth/oidc/start?next=ignored', 'theme=dark');

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(AUTHORIZATION_URL);
    expect(response.headers.getSetCookie()).toEqual([
      `${OIDC_BINDING_COOKIE}=${BINDING}; ${BINDING_ATTRIBUTES}; Max-Age=600`,
    ]);
    expect(gateway.users.last).toMatchObject({ method: 'POST', url: '/auth/oidc/authorizations' });
    expect(gateway.users.last!.headers.cookie).toBeUndefined();
  });

  it('lands on the sign-in page with the error code in the fragment when users refuses', async () => {
    gateway.users.handler = answerJson(404, { code: ErrorCode.NotFound, message: 'Not configured.' });

    const response = await navigate('/api/auth/oidc/start');

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/sign-in#error=RESOURCE.NOT_FOUND');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('lands on the sign-in page, not on a JSON error, when users cannot be reached', async () => {
    gateway.users.handler = dropConnection;

    const response = await navigate('/api/auth/oidc/start');

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/sign-in#error=UPSTREAM.UNAVAILABLE');
    expect(response.headers.get('content-type')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('the callback from the provider', () => {
  const CALLBACK = '/api/auth/oidc/callback?code=c0de&state=s1&iss=https%3A%2F%2Fid.example.com';

  it('hands users the raw query and the binding, then sets the refresh cookie, drops the binding and opens the runs', async () => {
    gateway.users.handler = answerJson(200, {
      accessToken: 'header.payload.signature',
      refreshToken: REFRESH_TOKEN,
      tokenType: 'Bearer',
      expiresIn: 900,
    });

    const response = await navigate(CALLBACK, `${OIDC_BINDING_COOKIE}=${BINDING}`);

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/runs');
    expect(response.headers.getSetCookie()).toEqual([
      EXPIRED_BINDING,
      `${REFRESH_COOKIE}=${REFRESH_TOKEN}; Path=/; Secure; HttpOnly; SameSite=Strict`,
    ]);
    // No token in the page: the client refreshes with the cookie on its first load.
    expect(await response.text()).toBe('');
    expect(gateway.users.last).toMatchObject({ method: 'POST', url: '/auth/oidc/callback' });
    expect(JSON.parse(gateway.users.last!.body)).toEqual({
      callbackQuery: 'code=c0de&state=s1&iss=https%3A%2F%2Fid.example.com',
      binding: BINDING,
    });
  });

  it.each([
    ['no binding cookie (another browser, or a forged link)', undefined],
    [
      'two binding cookies (one planted)',
      `${OIDC_BINDING_COOKIE}=${BINDING}; ${OIDC_BINDING_COOKIE}=${BINDING}`,
    ],
    ['a binding cookie that is not one', `${OIDC_BINDING_COOKIE}=<script>`],
  ])('with %s fails at the gateway: nothing forwarded', async (_case, cookie) => {
    const response = await navigate(CALLBACK, cookie);

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/sign-in#error=AUTH.OIDC_FAILED');
    expect(response.headers.getSetCookie()).toEqual([EXPIRED_BINDING]);
    expect(gateway.users.requests).toHaveLength(0);
  });

  it.each([
    [401, { code: ErrorCode.OidcFailed }, 'AUTH.OIDC_FAILED'],
    [403, { code: ErrorCode.OidcLinkRequired }, 'AUTH.OIDC_LINK_REQUIRED'],
    [400, { code: 'VALIDATION.FAILED' }, 'VALIDATION.FAILED'],
    [500, { code: '<img src=x>' }, 'AUTH.OIDC_FAILED'],
  ])(
    'answered %s by users lands on the sign-in page with the code, no session cookie',
    async (status, body, code) => {
      gateway.users.handler = answerJson(status, body);

      const response = await navigate(CALLBACK, `${OIDC_BINDING_COOKIE}=${BINDING}`);

      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`/sign-in#error=${code}`);
      expect(response.headers.getSetCookie()).toEqual([EXPIRED_BINDING]);
    },
  );

  it('lands on the sign-in page and drops the binding when users cannot be reached', async () => {
    gateway.users.handler = dropConnection;

    const response = await navigate(CALLBACK, `${OIDC_BINDING_COOKIE}=${BINDING}`);

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/sign-in#error=UPSTREAM.UNAVAILABLE');
    expect(response.headers.getSetCookie()).toEqual([EXPIRED_BINDING]);
  });

  it('after a link opens the sessions page, with no new session', async () => {
    gateway.users.handler = answerJson(200, { linked: true });

    const response = await navigate(CALLBACK, `${OIDC_BINDING_COOKIE}=${BINDING}`);

    expect(response.headers.get('location')).toBe('/sessions');
    expect(response.headers.getSetCookie()).toEqual([EXPIRED_BINDING]);
  });
});

describe('the sign-in page asking whether the button shows', () => {
  it('gets the answer of users', async () => {
    gateway.users.handler = answerJson(200, { enabled: true, providerName: 'Test ID' });

    const response = await gateway.fetch('/api/auth/oidc');

    expect(await response.json()).toEqual({ enabled: true, providerName: 'Test ID' });
    expect(gateway.users.last).toMatchObject({ method: 'GET', url: '/auth/oidc' });
  });
});

describe('linking an identity from the web client', () => {
  it('refuses a request without an access token', async () => {
    const response = await gateway.fetch('/api/users/me/identities/oidc', { method: 'POST', json: {} });

    expect(response.status).toBe(401);
    expect(gateway.users.requests).toHaveLength(0);
  });

  it("refuses a page of another origin, even with the user's token", async () => {
    const response = await gateway.fetch('/api/users/me/identities/oidc', {
      method: 'POST',
      json: {},
      token: gateway.tokens.user(),
      headers: { origin: 'https://evil.example', [CSRF_HEADER]: '1' },
    });

    expect(response.status).toBe(403);
    expect(gateway.users.requests).toHaveLength(0);
  });

  it('answers the provider URL only, and keeps the binding in the cookie', async () => {
    gateway.users.handler = answerJson(201, { authorizationUrl: AUTHORIZATION_URL, binding: BINDING });

    const response = await gateway.fetch('/api/users/me/identities/oidc', {
      method: 'POST',
      json: {},
      token: gateway.tokens.user(),
      headers: { origin: SITE, 'sec-fetch-site': 'same-origin', [CSRF_HEADER]: '1' },
    });

    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ authorizationUrl: AUTHORIZATION_URL });
    expect(response.headers.getSetCookie()).toEqual([
      `${OIDC_BINDING_COOKIE}=${BINDING}; ${BINDING_ATTRIBUTES}; Max-Age=600`,
    ]);
  });
});
