import { AuditEvent, ErrorCode } from '@runnerly/security';
import { PASSWORD, UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

const NEW_PASSWORD = 'a brand new passphrase 2026';

describe('GET /users/me', () => {
  it("answers with the caller's profile and nothing internal", async () => {
    const user = await users.registerAndLogin();
    const response = await users.get('/users/me', user.accessToken);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: user.id,
      email: user.email,
      displayName: 'Test Runner',
      emailVerified: false,
      role: 'user',
      createdAt: expect.any(String),
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });
});

describe('PATCH /users/me', () => {
  it('changes the display name', async () => {
    const user = await users.registerAndLogin();
    const response = await users.patch('/users/me', { displayName: '  Ada Lovelace ' }, user.accessToken);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ displayName: 'Ada Lovelace' });
  });

  it.each([
    ['the role', { displayName: 'x', role: 'admin' }],
    ['the email', { displayName: 'x', email: 'other@example.com' }],
    ['the id', { displayName: 'x', id: '00000000-0000-0000-0000-000000000000' }],
  ])('refuses to change %s (400, nothing changed)', async (_case, body) => {
    const user = await users.registerAndLogin();
    expect((await users.patch('/users/me', body, user.accessToken)).statusCode).toBe(400);
    const [row] = await users.db.query(`SELECT email, role, display_name FROM accounts WHERE id = $1`, [
      user.id,
    ]);
    expect(row).toEqual({ email: user.email, role: 'user', display_name: 'Test Runner' });
  });
});

describe('POST /users/me/password', () => {
  it('changes the password and ends every other session, keeping the current one', async () => {
    const user = await users.register();
    const current = await users.login(user);
    const other = await users.login(user);

    const response = await users.post(
      '/users/me/password',
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      current.accessToken,
    );
    expect(response.statusCode).toBe(204);

    expect((await users.post('/auth/refresh', { refreshToken: other.refreshToken })).statusCode).toBe(401);
    expect((await users.post('/auth/refresh', { refreshToken: current.refreshToken })).statusCode).toBe(200);
    expect((await users.post('/auth/login', { email: user.email, password: PASSWORD })).statusCode).toBe(401);
    expect((await users.post('/auth/login', { email: user.email, password: NEW_PASSWORD })).statusCode).toBe(
      200,
    );
    expect(users.logs.auditEvents(AuditEvent.PasswordChanged).at(-1)?.audit).toMatchObject({
      userId: user.id,
    });
  });

  it('refuses a wrong current password (401) and keeps the old one', async () => {
    const user = await users.registerAndLogin();
    const response = await users.post(
      '/users/me/password',
      { currentPassword: 'not my password', newPassword: NEW_PASSWORD },
      user.accessToken,
    );
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.InvalidCredentials });
    expect((await users.post('/auth/login', { email: user.email, password: PASSWORD })).statusCode).toBe(200);
  });

  it('refuses a weak new password (400)', async () => {
    const user = await users.registerAndLogin();
    const response = await users.post(
      '/users/me/password',
      { currentPassword: PASSWORD, newPassword: 'iloveyou' },
      user.accessToken,
    );
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      fields: [{ field: 'newPassword', problems: ['password is too common'] }],
    });
  });
});

describe('DELETE /users/me', () => {
  it('deletes the account with its sessions and queues the purge of its runs', async () => {
    const user = await users.registerAndLogin();

    expect((await users.delete('/users/me', user.accessToken)).statusCode).toBe(204);

    expect(await users.db.query(`SELECT id FROM accounts WHERE id = $1`, [user.id])).toEqual([]);
    expect(await users.db.query(`SELECT id FROM sessions WHERE account_id = $1`, [user.id])).toEqual([]);
    expect(
      await users.db.query(`SELECT account_id FROM run_purge_requests WHERE account_id = $1`, [user.id]),
    ).toEqual([{ account_id: user.id }]);
    expect((await users.post('/auth/login', { email: user.email, password: PASSWORD })).statusCode).toBe(401);
    expect((await users.post('/auth/refresh', { refreshToken: user.refreshToken })).statusCode).toBe(401);
    expect(users.logs.auditEvents(AuditEvent.AccountDeleted).at(-1)?.audit).toMatchObject({
      userId: user.id,
    });
  });

  it('refuses a token outliving its account with 401: its sessions ended with the account', async () => {
    const user = await users.registerAndLogin();
    await users.delete('/users/me', user.accessToken);
    expect((await users.delete('/users/me', user.accessToken)).statusCode).toBe(401);
    expect((await users.get('/users/me', user.accessToken)).statusCode).toBe(401);
  });
});
