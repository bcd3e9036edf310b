import { createHash } from 'node:crypto';
import { AuditEvent, ErrorCode } from '@runnerly/security';
import { eventually, linkIn, type ReceivedMail, TestMailServer } from '@runnerly/testing';
import { PASSWORD, type RegisteredUser, UsersTestApp } from './support/users-test-app';

const PUBLIC_ORIGIN = 'https://runnerly.example';
const NEW_PASSWORD = 'a new and different passphrase';

let mail: TestMailServer;
let users: UsersTestApp;

beforeAll(async () => {
  mail = await TestMailServer.start();
  users = await UsersTestApp.start({
    SMTP_URL: mail.url,
    PUBLIC_ORIGIN,
    MAIL_POLL_INTERVAL_MS: '200',
    MAIL_RETRY_BASE_MS: '100',
  });
}, 60_000);

afterAll(async () => {
  await users?.close();
  await mail?.stop();
});

/** A new account, and the verification mail its sign-up sent (read, so later waits look past it). */
async function registered(): Promise<RegisteredUser & { verificationMail: ReceivedMail }> {
  const user = await users.register();
  return { ...user, verificationMail: await mail.nextMailTo(user.email, 1) };
}

async function resetLinkFor(email: string, headers: Record<string, string> = {}) {
  const asked = await users.post('/auth/password-reset', { email }, undefined, headers);
  expect(asked.statusCode).toBe(202);
  const resetMail = await mail.nextMailTo(email);
  expect(resetMail.subject).toBe('Reset your Runnerly password');
  return linkIn(resetMail, '/reset-password');
}

const completeReset = (token: string, password = NEW_PASSWORD) =>
  users.post('/auth/password-reset/complete', { token, password });

const login = (email: string, password: string) => users.post('/auth/login', { email, password });

describe('email verification', () => {
  it('mails a link at sign-up, on PUBLIC_ORIGIN with the token in the fragment, which verifies the address once', async () => {
    const user = await registered();
    const tokens = await users.login(user);
    expect(user.verificationMail.subject).toBe('Confirm your email address for Runnerly');
    const { url, token } = linkIn(user.verificationMail, '/verify-email');
    expect(url.origin).toBe(PUBLIC_ORIGIN);
    expect(url.search).toBe('');
    expect((await users.get('/users/me', tokens.accessToken)).json()).toMatchObject({ emailVerified: false });

    const verified = await users.post('/auth/email-verification/complete', { token });

    expect(verified.statusCode).toBe(204);
    expect((await users.get('/users/me', tokens.accessToken)).json()).toMatchObject({ emailVerified: true });
    expect(users.logs.auditEvents(AuditEvent.EmailVerified).at(-1)?.audit).toMatchObject({ userId: user.id });
    const again = await users.post('/auth/email-verification/complete', { token });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: ErrorCode.InvalidEmailLink });
  });

  it('mails a new link on request to an unverified account, and none to a verified one', async () => {
    const user = await registered();
    await users.post('/auth/email-verification/complete', {
      token: linkIn(user.verificationMail, '/verify-email').token,
    });
    const unverified = await registered();
    await users.db.query(`UPDATE email_link_tokens SET created_at = now() - interval '2 minutes'`);

    for (const email of [user.email, unverified.email]) {
      const asked = await users.post('/auth/email-verification', { email });
      expect(asked.statusCode).toBe(202);
      expect(asked.json()).toEqual({ accepted: true });
    }

    await mail.nextMailTo(unverified.email, 2);
    expect(mail.mailsTo(user.email)).toHaveLength(1);
    const forVerified = users.logs
      .auditEvents(AuditEvent.EmailVerificationRequested)
      .filter((line) => line.audit?.userId === user.id);
    expect(forVerified.at(-1)?.audit).toMatchObject({
      mailed: false,
      reason: 'already verified',
    });
  });
});

describe('password reset', () => {
  it('answers an address without an account exactly as one with an account, and mails only the account', async () => {
    const user = await registered();
    const nobody = users.nextEmail('nobody');

    const forNobody = await users.post('/auth/password-reset', { email: nobody });
    const forUser = await users.post('/auth/password-reset', { email: user.email });

    expect(forNobody.statusCode).toBe(202);
    expect(forUser.statusCode).toBe(202);
    expect(forNobody.body).toBe(forUser.body);
    expect(forNobody.json()).toEqual({ accepted: true });
    // Requests are mailed in the order they came: once the user's mail is here, nobody's was decided.
    await mail.nextMailTo(user.email, 2);
    expect(mail.mailsTo(nobody)).toEqual([]);
    const outcome = users.logs
      .auditEvents(AuditEvent.PasswordResetRequested)
      .find((line) => line.audit?.reason === 'no account');
    expect(outcome?.audit).toMatchObject({ mailed: false, requestId: expect.any(String) });
    expect(users.logs.text).not.toContain(nobody);
  });

  it('sets a new password with the link once, ends every session, verifies the address, and logs no token', async () => {
    const user = await registered();
    const laptop = await users.login(user);
    const phone = await users.login(user);
    const { url, token } = await resetLinkFor(user.email);
    expect(url.origin).toBe(PUBLIC_ORIGIN);

    expect((await completeReset(token)).statusCode).toBe(204);

    for (const session of [laptop, phone]) {
      const refreshed = await users.post('/auth/refresh', { refreshToken: session.refreshToken });
      expect(refreshed.statusCode).toBe(401);
    }
    expect((await login(user.email, PASSWORD)).statusCode).toBe(401);
    const withNewPassword = await login(user.email, NEW_PASSWORD);
    expect(withNewPassword.statusCode).toBe(200);
    const me = await users.get('/users/me', withNewPassword.json<{ accessToken: string }>().accessToken);
    expect(me.json()).toMatchObject({ emailVerified: true });
    expect(users.logs.auditEvents(AuditEvent.PasswordResetCompleted).at(-1)?.audit).toMatchObject({
      userId: user.id,
      sessionsEnded: 2,
    });
    const revoked = await users.db.query(
      `SELECT DISTINCT revoked_reason FROM sessions WHERE account_id = $1 AND revoked_at IS NOT NULL`,
      [user.id],
    );
    expect(revoked).toEqual([{ revoked_reason: 'password-reset' }]);

    const again = await completeReset(token, 'yet another new passphrase');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: ErrorCode.InvalidEmailLink });
    expect(users.logs.text).not.toContain(token);
  });

  it('refuses an expired link', async () => {
    const user = await registered();
    const { token } = await resetLinkFor(user.email);
    await users.db.query(
      `UPDATE email_link_tokens SET expires_at = now() - interval '1 second'
                           WHERE account_id = $1 AND purpose = 'reset-password'`,
      [user.id],
    );

    const response = await completeReset(token);

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: ErrorCode.InvalidEmailLink });
    expect((await login(user.email, PASSWORD)).statusCode).toBe(200);
  });

  it('lets a reset link go only to a reset, and a verification link only to a verification', async () => {
    const user = await registered();
    const verificationToken = linkIn(user.verificationMail, '/verify-email').token;
    const { token: resetToken } = await resetLinkFor(user.email);

    const resetWithVerification = await completeReset(verificationToken);
    const verifyWithReset = await users.post('/auth/email-verification/complete', { token: resetToken });

    expect(resetWithVerification.json()).toMatchObject({ code: ErrorCode.InvalidEmailLink });
    expect(verifyWithReset.json()).toMatchObject({ code: ErrorCode.InvalidEmailLink });
    expect(users.logs.auditEvents(AuditEvent.EmailLinkRejected).length).toBeGreaterThanOrEqual(2);
    expect((await login(user.email, PASSWORD)).statusCode).toBe(200);
  });

  it('keeps the link working when the new password is refused (here: it contains the email address)', async () => {
    const user = await registered();
    const { token } = await resetLinkFor(user.email);

    const refused = await completeReset(token, `my address is ${user.email}`);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: ErrorCode.ValidationFailed });

    expect((await completeReset(token)).statusCode).toBe(204);
  });

  it('builds the link on PUBLIC_ORIGIN whatever the Host, X-Forwarded-Host and Forwarded headers name', async () => {
    const user = await registered();

    const { url } = await resetLinkFor(user.email, {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'http',
      forwarded: 'host=evil.example;proto=http',
    });

    expect(url.origin).toBe(PUBLIC_ORIGIN);
    expect(mail.mailsTo(user.email).at(-1)?.text).not.toContain('evil.example');
  });

  it('mails one link a minute to an account however often it is asked, and the latest link replaces the earlier', async () => {
    const user = await registered();
    const { token: first } = await resetLinkFor(user.email);
    for (let i = 0; i < 3; i++) await users.post('/auth/password-reset', { email: user.email });
    const heldBackFor = () =>
      users.logs
        .auditEvents(AuditEvent.PasswordResetRequested)
        .filter((line) => line.audit?.userId === user.id && line.audit?.mailed === false);
    // The three are decided in the background: wait for that before the minute is moved back.
    await eventually(() => expect(heldBackFor()).toHaveLength(3));
    await users.db.query(
      `UPDATE email_link_tokens SET created_at = now() - interval '2 minutes'
                           WHERE account_id = $1`,
      [user.id],
    );
    const { token: second } = await resetLinkFor(user.email);

    expect(mail.mailsTo(user.email)).toHaveLength(3);
    expect(heldBackFor()).toHaveLength(3);
    expect(heldBackFor()[0]?.audit?.reason).toBe('a link was sent less than a minute ago');
    expect((await completeReset(first)).json()).toMatchObject({ code: ErrorCode.InvalidEmailLink });
    expect((await completeReset(second)).statusCode).toBe(204);
  });

  it('retries a mail the SMTP server refused, with a new token, until it is taken', async () => {
    const user = await registered();
    mail.refuseNext = 2;

    const { token } = await resetLinkFor(user.email);

    expect(mail.refuseNext).toBe(0);
    const live = await users.db.query(
      `SELECT token_hash FROM email_link_tokens WHERE account_id = $1 AND purpose = 'reset-password'`,
      [user.id],
    );
    expect(live).toEqual([{ token_hash: createHash('sha256').update(token).digest('hex') }]);
    expect(await users.db.query(`SELECT id FROM email_link_requests`)).toEqual([]);
    expect((await completeReset(token)).statusCode).toBe(204);
  });

  it('keeps no working link in the database: tokens as SHA-256 digests, queued requests with none', async () => {
    const user = await registered();
    mail.refuseNext = 1;
    await users.post('/auth/password-reset', { email: user.email });
    const { token } = linkIn(await mail.nextMailTo(user.email), '/reset-password');

    const dump = JSON.stringify([
      await users.db.query(`SELECT * FROM email_link_tokens`),
      await users.db.query(`SELECT * FROM email_link_requests`),
    ]);

    expect(dump).not.toContain(token);
    expect(dump).toContain(createHash('sha256').update(token).digest('hex'));
  });

  it('refuses a malformed token before any query, and a well-formed unknown one with the same code as a spent one', async () => {
    const malformed = await completeReset("' OR 1=1 --");
    const unknown = await completeReset('A'.repeat(43));

    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: ErrorCode.ValidationFailed });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: ErrorCode.InvalidEmailLink });
  });
});
