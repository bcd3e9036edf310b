import { type Account, GatewayClient } from '@runnerly/testing';
import { CONTAINERS_SUITE } from './support/containers-env';

interface Run {
  id: string;
  userId: string;
  title: string;
  distanceMeters: number;
}

// The suites of this stack share one client address and its 20 credentials requests a minute: a step that signs up
// or logs in may wait out a Retry-After of up to a minute (GatewayClient.postCredentials), whichever file runs first.
jest.setTimeout(150_000);

const A_RUN = {
  title: 'Tempo along the river',
  distanceMeters: 10_000,
  durationSeconds: 2_900,
  startedAt: '2026-11-20T07:00:00.000Z',
};

CONTAINERS_SUITE.describe(
  'the compose stack, through the published gateway port',
  ({ gatewayUrl, gatewayFetch }) => {
    let api: GatewayClient;
    let ada: Account;
    let bob: Account;

    beforeAll(async () => {
      api = new GatewayClient(gatewayUrl, {}, gatewayFetch);
      ada = await api.signUp('ada');
      bob = await api.signUp('bob');
    });

    it('refuses the API without a token, and serves it with one', async () => {
      const anonymous = await api.call('GET', '/api/runs');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ statusCode: 401 });

      const signedIn = await api.call('GET', '/api/users/me', { token: ada.accessToken });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body).toMatchObject({ id: ada.id, email: ada.email });
    });

    it('registers and logs in: argon2 and the RS256 signing key work in the production images', async () => {
      const email = GatewayClient.nextEmail('cleo');
      const registered = await api.postCredentials('/api/auth/register', {
        email,
        password: 'another long passphrase',
        displayName: 'Cleo',
      });
      expect(registered.status).toBe(201);
      expect(registered.body).toMatchObject({ id: expect.any(String), email, displayName: 'Cleo' });
      expect(JSON.stringify(registered.body)).not.toMatch(/argon2|passwordHash/i);

      const login = await api.postCredentials<{ accessToken: string; tokenType: string }>('/api/auth/login', {
        email,
        password: 'another long passphrase',
      });
      expect(login.status).toBe(200);
      expect(login.body.tokenType).toBe('Bearer');
      const header = JSON.parse(Buffer.from(login.body.accessToken.split('.')[0]!, 'base64url').toString());
      expect(header.alg).toBe('RS256');

      const jwks = await api.call<{ keys: { kid: string; kty: string }[] }>('GET', '/.well-known/jwks.json');
      expect(jwks.status).toBe(200);
      expect(jwks.body.keys).toContainEqual(expect.objectContaining({ kid: header.kid, kty: 'RSA' }));
    });

    it("takes a run through its lifecycle in the runs service's own database", async () => {
      const created = await api.call<Run>('POST', '/api/runs', { token: ada.accessToken, json: A_RUN });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ ...A_RUN, userId: ada.id });
      const path = `/api/runs/${created.body.id}`;

      expect((await api.call<Run>('GET', path, { token: ada.accessToken })).body.title).toBe(A_RUN.title);
      const renamed = await api.call<Run>('PATCH', path, {
        token: ada.accessToken,
        json: { title: 'Easy jog' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.title).toBe('Easy jog');
      const listed = await api.call<{ items: Run[] }>('GET', '/api/runs', { token: ada.accessToken });
      expect(listed.body.items.map((run) => run.id)).toContain(created.body.id);

      expect((await api.call('DELETE', path, { token: ada.accessToken })).status).toBe(204);
      expect((await api.call('GET', path, { token: ada.accessToken })).status).toBe(404);
    });

    it("answers 404 for another user's run, exactly as for a run that does not exist", async () => {
      const adasRun = await api.call<Run>('POST', '/api/runs', { token: ada.accessToken, json: A_RUN });
      const path = `/api/runs/${adasRun.body.id}`;

      for (const [method, json] of [['GET'], ['PATCH', { title: 'Mine now' }], ['DELETE']] as const) {
        const answer = await api.call(method, path, { token: bob.accessToken, json });
        expect(answer.status).toBe(404);
      }
      const missing = await api.call('GET', '/api/runs/00000000-0000-4000-8000-000000000000', {
        token: bob.accessToken,
      });
      expect(missing.status).toBe(404);
      const bobsList = await api.call<{ items: Run[] }>('GET', '/api/runs', { token: bob.accessToken });
      expect(bobsList.body.items.map((run) => run.id)).not.toContain(adasRun.body.id);

      const stillAdas = await api.call<Run>('GET', path, { token: ada.accessToken });
      expect(stillAdas.body).toMatchObject({ title: A_RUN.title, userId: ada.id });
    });

    it('serves the web client from the gateway image, its one script carrying the nonce of a strict CSP', async () => {
      const page = await gatewayFetch(`${gatewayUrl}/sign-in`);
      const html = await page.text();
      const script = /<script[^>]*src="\/assets\/main\.js"[^>]*>/.exec(html)?.[0] ?? '';
      const nonce = /nonce="([^"]+)"/.exec(script)?.[1];
      const main = await gatewayFetch(`${gatewayUrl}/assets/main.js`);

      expect(page.status).toBe(200);
      expect(nonce).toBeDefined();
      expect(page.headers.get('content-security-policy')).toContain(
        `script-src 'nonce-${nonce}' 'strict-dynamic'`,
      );
      expect(page.headers.get('content-security-policy')).toContain("trusted-types 'none'");
      expect(main.status).toBe(200);
      expect(main.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    });

    it('sends the security headers, and no software banner, on answers to anyone', async () => {
      for (const answer of [
        await api.call('GET', '/api/runs'),
        await api.call('GET', '/api/runs', { token: ada.accessToken }),
      ]) {
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('strict-transport-security')).toContain('max-age=');
        expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(answer.headers.get('x-frame-options')).toBe('DENY');
        expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
        expect(answer.headers.get('cache-control')).toBe('no-store');
        expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(answer.headers.get('x-powered-by')).toBeNull();
        expect(answer.headers.get('server')).toBeNull();
      }
    });

    it("refuses a logged-out session's access token at once in every service, through Redis and its ACLs", async () => {
      const erin = await api.signUp('erin');
      expect((await api.call('GET', '/api/runs', { token: erin.accessToken })).status).toBe(200);
      const logout = await api.call('POST', '/api/auth/logout', {
        json: { refreshToken: erin.refreshToken },
      });
      expect(logout.status).toBe(204);

      expect((await api.call('GET', '/api/runs', { token: erin.accessToken })).status).toBe(401);
      expect((await api.call('GET', '/api/users/me', { token: erin.accessToken })).status).toBe(401);
    });

    // Last: the credentials limits also count this suite's sign-ups, from the same client address.
    it('answers 429 with Retry-After once a client has failed too many logins on an account, even to its password', async () => {
      const victim = await api.signUp('dora');
      let attempts = 0;
      let answer = await api.call('POST', '/api/auth/login', {
        json: { email: victim.email, password: 'wrong guess 1' },
      });
      while (answer.status === 401 && attempts < 30) {
        attempts += 1;
        answer = await api.call('POST', '/api/auth/login', {
          json: { email: victim.email, password: `wrong guess ${attempts + 1}` },
        });
      }
      expect(answer.status).toBe(429);
      expect(attempts).toBeLessThanOrEqual(10);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answer.body).toMatchObject({ statusCode: 429 });

      const withThePassword = await api.call('POST', '/api/auth/login', {
        json: { email: victim.email, password: victim.password },
      });
      expect(withThePassword.status).toBe(429);
    });
  },
);
