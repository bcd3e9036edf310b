import { describeWithRedis, GatewayClient } from '@runnerly/testing';
import { ADMIN, Stack } from './support/stack';

/**
 * With a shared Redis, `users` publishes every ended session, and the gateway and `runs` refuse its access
 * tokens on the next request, not when they expire.
 */
describeWithRedis('ended sessions across the stack', () => {
  let stack: Stack;
  let api: GatewayClient;

  beforeAll(async () => {
    stack = await Stack.start({ withRedis: true });
    api = new GatewayClient(stack.gatewayUrl);
  }, 120_000);

  afterAll(() => stack?.stop());

  it('refuses the access token of a logged-out session in every service, at once', async () => {
    const ada = await api.signUp('ada');
    await api.createRun(ada.accessToken);

    expect(
      (await api.call('POST', '/api/auth/logout', { json: { refreshToken: ada.refreshToken } })).status,
    ).toBe(204);

    expect((await api.call('GET', '/api/runs', { token: ada.accessToken })).status).toBe(401);
    expect((await api.call('GET', '/api/users/me', { token: ada.accessToken })).status).toBe(401);
    // And runs itself, which does not rely on the gateway having checked.
    const direct = await fetch(`http://127.0.0.1:${stack.env.runs.PORT}/runs`, {
      headers: { authorization: `Bearer ${ada.accessToken}` },
    });
    expect(direct.status).toBe(401);
  });

  it('ends a session from another device: its tokens stop working in every service at once, and only its', async () => {
    const laptop = await api.signUp('kim');
    const phone = await api.logIn(laptop.email, laptop.password);
    const { items: sessions } = (
      await api.call<{ items: { id: string; current: boolean }[] }>('GET', '/api/users/me/sessions', {
        token: laptop.accessToken,
      })
    ).body;
    const phoneSession = sessions.find((session) => !session.current)!;
    expect(sessions).toHaveLength(2);

    expect(
      (await api.call('DELETE', `/api/users/me/sessions/${phoneSession.id}`, { token: laptop.accessToken }))
        .status,
    ).toBe(204);

    expect((await api.call('GET', '/api/runs', { token: phone.accessToken })).status).toBe(401);
    expect(
      (await api.call('POST', '/api/auth/refresh', { json: { refreshToken: phone.refreshToken } })).status,
    ).toBe(401);
    expect((await api.call('GET', '/api/runs', { token: laptop.accessToken })).status).toBe(200);
  });

  it("stops a demoted admin from reading other users' runs at once", async () => {
    const admin = await api.logIn(ADMIN.email, ADMIN.password);
    const [eve, bob] = [await api.signUp('eve'), await api.signUp('bob')];
    await api.createRun(bob.accessToken);
    await api.call('PATCH', `/api/users/${eve.id}/role`, {
      token: admin.accessToken,
      json: { role: 'admin' },
    });
    const eveAsAdmin = await api.logIn(eve.email, eve.password);
    expect(
      (await api.call('GET', `/api/runs?userId=${bob.id}`, { token: eveAsAdmin.accessToken })).status,
    ).toBe(200);

    await api.call('PATCH', `/api/users/${eve.id}/role`, {
      token: admin.accessToken,
      json: { role: 'user' },
    });

    expect(
      (await api.call('GET', `/api/runs?userId=${bob.id}`, { token: eveAsAdmin.accessToken })).status,
    ).toBe(401);
  });

  it('lets an admin end every session of another account: its tokens stop in every service at once, and its runs stay', async () => {
    const admin = await api.logIn(ADMIN.email, ADMIN.password);
    const stolen = await api.signUp('taken-over');
    const laptop = await api.logIn(stolen.email, stolen.password);
    await api.createRun(stolen.accessToken);

    expect(
      (await api.call('DELETE', `/api/users/${stolen.id}/sessions`, { token: admin.accessToken })).status,
    ).toBe(204);

    for (const session of [stolen, laptop]) {
      expect((await api.call('GET', '/api/runs', { token: session.accessToken })).status).toBe(401);
      expect(
        (await api.call('POST', '/api/auth/refresh', { json: { refreshToken: session.refreshToken } }))
          .status,
      ).toBe(401);
    }
    const again = await api.logIn(stolen.email, stolen.password);
    expect(
      (await api.call<{ items: unknown[] }>('GET', '/api/runs', { token: again.accessToken })).body.items,
    ).toHaveLength(1);
  });

  it('asks an old session for its password again before deleting the account, through the gateway (RFC 9470 challenge)', async () => {
    const user = await api.signUp('stepping-up');
    const sid = JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString())
      .sid as string;
    await stack
      .database('users')
      .query(`UPDATE sessions SET authenticated_at = now() - interval '1 hour' WHERE id = $1`, [sid]);
    const { accessToken: refreshed } = (
      await api.call<{ accessToken: string }>('POST', '/api/auth/refresh', {
        json: { refreshToken: user.refreshToken },
      })
    ).body;

    const refused = await api.call('DELETE', '/api/users/me', { token: refreshed });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'AUTH.REAUTHENTICATION_REQUIRED' });
    expect(refused.headers.get('www-authenticate')).toMatch(
      /^Bearer error="insufficient_user_authentication"/,
    );

    const { accessToken } = (
      await api.call<{ accessToken: string }>('POST', '/api/users/me/reauthenticate', {
        token: refreshed,
        json: { password: user.password },
      })
    ).body;
    expect((await api.call('DELETE', '/api/users/me', { token: accessToken })).status).toBe(204);
  });

  it("refuses a deleted account's token in runs (it can neither read nor write)", async () => {
    const gone = await api.signUp('gone');
    expect((await api.call('DELETE', '/api/users/me', { token: gone.accessToken })).status).toBe(204);
    expect((await api.call('GET', '/api/runs', { token: gone.accessToken })).status).toBe(401);
  });
});
