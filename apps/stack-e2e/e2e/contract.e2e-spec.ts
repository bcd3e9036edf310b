import { ADMIN, Stack } from './support/stack';
import { type Account, eventually, GatewayClient } from '@runnerly/testing';

let stack: Stack;
let api: GatewayClient;
let ada: Account;

beforeAll(async () => {
  stack = await Stack.start();
  api = new GatewayClient(stack.gatewayUrl);
  ada = await api.signUp('ada');
}, 120_000);

afterAll(() => stack?.stop());

describe('the public API through the gateway, as docs/reference/api.md describes it', () => {
  it('POST /api/auth/register creates an account: 201 {id, email, displayName, createdAt}', async () => {
    const email = GatewayClient.nextEmail('new');
    const response = await api.call('POST', '/api/auth/register', {
      json: { email, password: 'another long passphrase', displayName: 'New' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: expect.any(String),
      email,
      displayName: 'New',
      createdAt: expect.any(String),
    });
  });

  it('POST /api/auth/login answers 200 {accessToken, refreshToken, tokenType: "Bearer", expiresIn}', async () => {
    const response = await api.call('POST', '/api/auth/login', {
      json: { email: ada.email, password: ada.password },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
  });

  it('POST /api/auth/refresh answers a new pair and spends the old refresh token', async () => {
    const session = await api.logIn(ada.email, ada.password);
    const refreshed = await api.call<{ refreshToken: string }>('POST', '/api/auth/refresh', {
      json: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(
      (await api.call('POST', '/api/auth/refresh', { json: { refreshToken: session.refreshToken } })).status,
    ).toBe(401);
  });

  it('POST /api/auth/logout answers 204 and revokes the family', async () => {
    const session = await api.logIn(ada.email, ada.password);
    expect(
      (await api.call('POST', '/api/auth/logout', { json: { refreshToken: session.refreshToken } })).status,
    ).toBe(204);
    expect(
      (await api.call('POST', '/api/auth/refresh', { json: { refreshToken: session.refreshToken } })).status,
    ).toBe(401);
  });

  it('GET and PATCH /api/users/me read and change the profile, never showing a hash', async () => {
    const read = await api.call('GET', '/api/users/me', { token: ada.accessToken });
    expect(read.status).toBe(200);
    expect(Object.keys(read.body).sort()).toEqual([
      'createdAt',
      'displayName',
      'email',
      'emailVerified',
      'id',
      'role',
    ]);
    const changed = await api.call('PATCH', '/api/users/me', {
      token: ada.accessToken,
      json: { displayName: 'Ada L.' },
    });
    expect(changed.body).toMatchObject({ displayName: 'Ada L.' });
  });

  it('POST /api/users/me/password answers 204 and ends the other sessions', async () => {
    const user = await api.signUp('changer');
    const other = await api.logIn(user.email, user.password);
    const response = await api.call('POST', '/api/users/me/password', {
      token: user.accessToken,
      json: { currentPassword: user.password, newPassword: 'a changed passphrase 2' },
    });
    expect(response.status).toBe(204);
    expect(
      (await api.call('POST', '/api/auth/refresh', { json: { refreshToken: other.refreshToken } })).status,
    ).toBe(401);
  });

  it('POST /api/users/me/reauthenticate answers 200 {accessToken, tokenType, expiresIn} for the same session, its auth_time now', async () => {
    const user = await api.signUp('stepper');
    const response = await api.call<{ accessToken: string }>('POST', '/api/users/me/reauthenticate', {
      token: user.accessToken,
      json: { password: user.password },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims(response.body.accessToken)).toMatchObject({ sid: claims(user.accessToken).sid });
    expect(Math.abs(claims(response.body.accessToken).auth_time - Date.now() / 1000)).toBeLessThan(5);
  });

  it('runs: POST 201, GET list and one, PATCH 200, weekly stats, DELETE 204', async () => {
    const run = await api.createRun(ada.accessToken, { title: 'Tempo' });
    expect(run).toMatchObject({ title: 'Tempo', userId: ada.id, distanceMeters: 8000 });

    const list = await api.call<{ items: { id: string }[]; nextCursor: string | null }>(
      'GET',
      '/api/runs?limit=10',
      { token: ada.accessToken },
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((item) => item.id)).toContain(run.id);

    expect((await api.call('GET', `/api/runs/${run.id}`, { token: ada.accessToken })).body).toMatchObject({
      id: run.id,
    });
    expect(
      (
        await api.call('PATCH', `/api/runs/${run.id}`, {
          token: ada.accessToken,
          json: { title: 'Threshold' },
        })
      ).body,
    ).toMatchObject({ title: 'Threshold' });

    const stats = await api.call<{ weeks: { runs: number; distanceMeters: number }[] }>(
      'GET',
      '/api/runs/stats/weekly?weeks=2',
      { token: ada.accessToken },
    );
    expect(stats.status).toBe(200);
    expect(stats.body.weeks).toHaveLength(2);
    expect(stats.body.weeks.reduce((sum, week) => sum + week.distanceMeters, 0)).toBeGreaterThanOrEqual(8000);

    expect((await api.call('DELETE', `/api/runs/${run.id}`, { token: ada.accessToken })).status).toBe(204);
    expect((await api.call('GET', `/api/runs/${run.id}`, { token: ada.accessToken })).status).toBe(404);
  });

  it('POST /api/runs with an Idempotency-Key answers a retry with the first run, marked replayed', async () => {
    const key = `stack-${Date.now()}`;
    const send = () =>
      api.call<{ id: string }>('POST', '/api/runs', {
        token: ada.accessToken,
        headers: { 'idempotency-key': key },
        json: {
          title: 'Retried',
          distanceMeters: 5000,
          durationSeconds: 1500,
          startedAt: '2024-06-01T06:00:00Z',
        },
      });
    const first = await send();
    const again = await send();

    expect(first.status).toBe(201);
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const list = await api.call<{ items: { title: string }[] }>('GET', '/api/runs?limit=100', {
      token: ada.accessToken,
    });
    expect(list.body.items.filter((item) => item.title === 'Retried')).toHaveLength(1);
  });

  it('admin: GET /api/users and PATCH /api/users/:id/role, for the first admin only', async () => {
    const admin = await api.logIn(ADMIN.email, ADMIN.password);
    const list = await api.call<{ items: { email: string }[] }>('GET', '/api/users?limit=100', {
      token: admin.accessToken,
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((item) => item.email)).toContain(ada.email);

    const promoted = await api.signUp('promoted');
    const role = await api.call('PATCH', `/api/users/${promoted.id}/role`, {
      token: admin.accessToken,
      json: { role: 'admin' },
    });
    expect(role.status).toBe(200);
    expect(role.body).toMatchObject({ role: 'admin' });

    expect((await api.call('GET', '/api/users', { token: ada.accessToken })).status).toBe(403);
  });

  it('GET /.well-known/jwks.json publishes the signing key', async () => {
    const jwks = await api.call<{ keys: { kty: string; alg: string }[] }>('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256' })]);
  });

  it('GET /health/live and /health/ready answer 200 with a status only', async () => {
    expect((await api.call('GET', '/health/live')).body).toEqual({ status: 'ok' });
    const ready = await api.call('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });
  });

  it('DELETE /api/users/me answers 204 and leaves no runs behind, not even from the old token', async () => {
    const leaving = await api.signUp('leaving');
    await api.createRun(leaving.accessToken);
    await api.createRun(leaving.accessToken);

    const deletion = await api.call('DELETE', '/api/users/me', { token: leaving.accessToken });
    expect(deletion.status).toBe(204);
    await eventually(async () => expect(await stack.runCountOf(leaving.id)).toBe(0));
    // The purge users sends to runs carries the deletion's request id: one id for the whole story.
    const purgeId = deletion.headers.get('x-request-id');
    await eventually(() =>
      expect(
        stack.logs.runs!.some(
          (line) => line.requestId === purgeId && (line.audit as { event?: string })?.event === 'runs.purged',
        ),
      ).toBe(true),
    );

    // The access token is still unexpired (15 minutes), but the erased account can add nothing.
    const late = await api.call('POST', '/api/runs', {
      token: leaving.accessToken,
      json: {
        title: 'After deletion',
        distanceMeters: 1000,
        durationSeconds: 300,
        startedAt: new Date().toISOString(),
      },
    });
    expect(late.status).toBe(401);
    expect(await stack.runCountOf(leaving.id)).toBe(0);
  });
});

describe('one request id across the stack', () => {
  it("appears on the gateway's response and in the log lines of the service that handled it", async () => {
    const response = await api.call('GET', '/api/runs', { token: ada.accessToken });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Log lines are written asynchronously: wait for them.
    await eventually(() => expect(stack.logs.runs!.some((line) => line.requestId === requestId)).toBe(true));
    await eventually(() =>
      expect(stack.logs.gateway!.some((line) => line.requestId === requestId)).toBe(true),
    );
  });

  it('is never one chosen by the client', async () => {
    const response = await api.call('GET', '/api/runs', {
      token: ada.accessToken,
      headers: { 'x-request-id': 'client-chosen-id' },
    });
    expect(response.headers.get('x-request-id')).not.toBe('client-chosen-id');
    expect(stack.logs.runs!.some((line) => line.requestId === 'client-chosen-id')).toBe(false);
  });
});
