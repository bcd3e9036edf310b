import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AuditEvent, ErrorCode } from '@runnerly/security';
import { UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

describe('login', () => {
  it('answers with an access token, a refresh token, the token type and the lifetime', async () => {
    const user = await users.register();
    const response = await users.post('/auth/login', { email: user.email, password: user.password });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('issues an RS256 access token with kid, iss, aud, sub, exp (15 min), iat, jti, typ, role, sid, auth_time and amr', async () => {
    const user = await users.registerAndLogin();
    const { header, payload } = jwt.decode(user.accessToken, { complete: true }) as unknown as {
      header: object;
      payload: Record<string, unknown>;
    };

    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: users.keys.active.kid });
    expect(payload).toEqual({
      iss: users.tokens.issuer,
      aud: 'runnerly-api',
      sub: user.id,
      typ: 'access',
      role: 'user',
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: (payload.iat as number) + 900,
      auth_time: expect.any(Number),
      amr: ['pwd'],
    });
    expect((payload.iat as number) - (payload.auth_time as number)).toBeLessThanOrEqual(1);
    expect((await users.get('/users/me', user.accessToken)).statusCode).toBe(200);
  });

  it('stores refresh tokens only as SHA-256 digests', async () => {
    const user = await users.registerAndLogin();
    const digest = createHash('sha256').update(user.refreshToken).digest('hex');

    const stored = await users.db.query<{ token_hash: string }>(
      `SELECT t.token_hash FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE s.account_id = $1`,
      [user.id],
    );
    expect(stored).toEqual([{ token_hash: digest }]);
    const dump = JSON.stringify(await users.db.query(`SELECT * FROM refresh_tokens`));
    expect(dump).not.toContain(user.refreshToken);
  });
});

describe('refresh', () => {
  it('rotates: the new pair works and the old refresh token is spent', async () => {
    const user = await users.registerAndLogin();
    const first = await users.post('/auth/refresh', { refreshToken: user.refreshToken });
    expect(first.statusCode).toBe(200);
    const next = first.json<{ accessToken: string; refreshToken: string }>();
    expect(next.refreshToken).not.toBe(user.refreshToken);
    expect((await users.get('/users/me', next.accessToken)).statusCode).toBe(200);

    const second = await users.post('/auth/refresh', { refreshToken: next.refreshToken });
    expect(second.statusCode).toBe(200);
    expect(
      users.logs.auditEvents(AuditEvent.TokenRefreshed).filter((line) => line.audit?.userId === user.id),
    ).toHaveLength(2);
  });

  it('rejects a refresh token that was already used and revokes its whole family', async () => {
    const user = await users.registerAndLogin();
    const rotated = (await users.post('/auth/refresh', { refreshToken: user.refreshToken })).json<{
      refreshToken: string;
    }>();

    const replay = await users.post('/auth/refresh', { refreshToken: user.refreshToken });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: ErrorCode.InvalidRefreshToken });

    // The token the legitimate holder got from the rotation dies with the family.
    expect((await users.post('/auth/refresh', { refreshToken: rotated.refreshToken })).statusCode).toBe(401);
    const sessions = await users.db.query(`SELECT revoked_reason FROM sessions WHERE account_id = $1`, [
      user.id,
    ]);
    expect(sessions).toEqual([{ revoked_reason: 'refresh-token-reuse' }]);
    expect(users.logs.auditEvents(AuditEvent.RefreshTokenReused).at(-1)?.audit).toMatchObject({
      userId: user.id,
    });
  });

  it('lets exactly one of ten concurrent refreshes with the same token succeed', async () => {
    const user = await users.registerAndLogin();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => users.post('/auth/refresh', { refreshToken: user.refreshToken })),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401, 401, 401, 401, 401, 401]);
  });

  it('refuses a token past the absolute lifetime of its session', async () => {
    const user = await users.registerAndLogin();
    await users.db.query(
      `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE account_id = $1`,
      [user.id],
    );

    expect((await users.post('/auth/refresh', { refreshToken: user.refreshToken })).statusCode).toBe(401);
  });

  it('sets the absolute lifetime from REFRESH_TOKEN_TTL_DAYS at login', async () => {
    const user = await users.registerAndLogin();
    const [session] = await users.db.query<{ days: number }>(
      `SELECT round(extract(epoch FROM expires_at - created_at) / 86400) AS days FROM sessions WHERE account_id = $1`,
      [user.id],
    );
    expect(Number(session!.days)).toBe(30);
  });

  it.each([
    ['an unknown token', 401, { refreshToken: 'x'.repeat(43) }],
    ['an over-long token', 400, { refreshToken: 'x'.repeat(129) }],
    ['an empty token', 400, { refreshToken: '' }],
    ['no token', 400, {}],
    ['a number', 400, { refreshToken: 42 }],
  ])('answers %s with %i', async (_case, status, body) => {
    expect((await users.post('/auth/refresh', body)).statusCode).toBe(status);
  });
});

describe('logout', () => {
  it('revokes the family: neither the presented token nor its successors refresh any more', async () => {
    const user = await users.registerAndLogin();
    const rotated = (await users.post('/auth/refresh', { refreshToken: user.refreshToken })).json<{
      refreshToken: string;
    }>();

    const logout = await users.post('/auth/logout', { refreshToken: rotated.refreshToken });
    expect(logout.statusCode).toBe(204);
    expect(logout.body).toBe('');
    expect((await users.post('/auth/refresh', { refreshToken: rotated.refreshToken })).statusCode).toBe(401);
    expect(
      await users.db.query(`SELECT revoked_reason FROM sessions WHERE account_id = $1`, [user.id]),
    ).toEqual([{ revoked_reason: 'logout' }]);
    expect(users.logs.auditEvents(AuditEvent.LoggedOut).at(-1)?.audit).toMatchObject({ userId: user.id });
  });

  it('ends only the session it names: other logins of the same user keep working', async () => {
    const user = await users.register();
    const laptop = await users.login(user);
    const phone = await users.login(user);

    await users.post('/auth/logout', { refreshToken: laptop.refreshToken });
    expect((await users.post('/auth/refresh', { refreshToken: phone.refreshToken })).statusCode).toBe(200);
  });

  it('answers 204 for an unknown token too, revealing nothing', async () => {
    expect((await users.post('/auth/logout', { refreshToken: 'y'.repeat(43) })).statusCode).toBe(204);
  });
});

it('never writes a password, a refresh token or an access token into the logs', async () => {
  const user = await users.registerAndLogin();
  await users.post('/auth/refresh', { refreshToken: user.refreshToken });
  await users.post('/auth/login', { email: user.email, password: 'wrong password here' });

  expect(users.logs.text).not.toContain(user.password);
  expect(users.logs.text).not.toContain(user.refreshToken);
  expect(users.logs.text).not.toContain(user.accessToken);
  expect(users.logs.text).not.toContain('wrong password here');
  expect(users.logs.text).not.toContain(user.email);
});
