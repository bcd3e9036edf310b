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

  it("refuses a deleted account's token in runs (it can neither read nor write)", async () => {
    const gone = await api.signUp('gone');
    expect((await api.call('DELETE', '/api/users/me', { token: gone.accessToken })).status).toBe(204);
    expect((await api.call('GET', '/api/runs', { token: gone.accessToken })).status).toBe(401);
  });
});
