import { AuditEvent, ErrorCode } from '@runnerly/security';
import { type TestIdentityClaims, TestOpenIdProvider } from '@runnerly/testing';
import { OidcRelyingParty } from '../src/oidc/oidc-relying-party';
import { UsersTestApp } from './support/users-test-app';

const REDIRECT_URI = 'http://localhost:3000/api/auth/oidc/callback';
const CLIENT = {
  clientId: 'runnerly',
  clientSecret: 'test-client-secret-of-the-provider',
  redirectUri: REDIRECT_URI,
};

let provider: TestOpenIdProvider;
let users: UsersTestApp;

beforeAll(async () => {
  provider = await TestOpenIdProvider.start(CLIENT);
  users = await UsersTestApp.start({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT.clientId,
    OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    OIDC_PROVIDER_NAME: 'Test ID',
  });
}, 60_000);
afterAll(async () => {
  await users?.close();
  await provider?.close();
});

interface Started {
  authorizationUrl: string;
  binding: string;
}

async function start(): Promise<Started> {
  const response = await users.post('/auth/oidc/authorizations', {});
  expect(response.statusCode).toBe(201);
  return response.json<Started>();
}

/** The provider's answer to a sign-in of `login`, and the binding of the browser that started it. */
async function answerFor(login: string): Promise<{ callbackQuery: string; binding: string }> {
  const { authorizationUrl, binding } = await start();
  return { callbackQuery: await provider.signIn(authorizationUrl, login, REDIRECT_URI), binding };
}

const complete = (callback: { callbackQuery: string; binding: string }) =>
  users.post('/auth/oidc/callback', callback);

async function signInAs(login: string) {
  return complete(await answerFor(login));
}

const accountOf = (accessToken: string) =>
  (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;

const sessionCount = async () => {
  const [row] = await users.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions`);
  return row!.n;
};

const lastFailure = () => users.logs.auditEvents(AuditEvent.OidcLoginFailed).at(-1)?.audit;

async function verifiedAccount(): Promise<{ id: string; email: string }> {
  const user = await users.register();
  await users.db.query(`UPDATE accounts SET email_verified_at = now() WHERE id = $1`, [user.id]);
  return user;
}

describe('the status route', () => {
  it('says the provider is on, with the name for the button', async () => {
    const response = await users.get('/auth/oidc');
    expect(response.json()).toEqual({ enabled: true, providerName: 'Test ID' });
  });
});

describe('which account an identity at the provider opens', () => {
  it('creates an account for a verified email no account has, with the email verified and no known password', async () => {
    const email = users.nextEmail('newcomer');
    const response = await signInAs(provider.identity({ email, email_verified: true, name: 'Ada Newcomer' }));

    expect(response.statusCode).toBe(200);
    const id = accountOf(response.json<{ accessToken: string }>().accessToken);
    const [account] = await users.db.query<{
      email: string;
      display_name: string;
      verified: boolean;
      role: string;
    }>(
      `SELECT email, display_name, email_verified_at IS NOT NULL AS verified, role FROM accounts WHERE id = $1`,
      [id],
    );
    expect(account).toEqual({ email, display_name: 'Ada Newcomer', verified: true, role: 'user' });
    expect(users.logs.auditEvents(AuditEvent.OidcIdentityLinked).at(-1)?.audit).toMatchObject({
      userId: id,
      reason: 'new account',
    });
    // No password anyone knows opens it.
    const login = await users.post('/auth/login', { email, password: '' });
    expect(login.statusCode).not.toBe(200);
  });

  it('links a verified email to the account that verified it here too, and signs in to it', async () => {
    const account = await verifiedAccount();
    const response = await signInAs(provider.identity({ email: account.email, email_verified: true }));

    expect(response.statusCode).toBe(200);
    expect(accountOf(response.json<{ accessToken: string }>().accessToken)).toBe(account.id);
    expect(users.logs.auditEvents(AuditEvent.OidcIdentityLinked).at(-1)?.audit).toMatchObject({
      userId: account.id,
      reason: 'verified email',
    });
    expect(users.logs.auditEvents(AuditEvent.OidcLoginSucceeded).at(-1)?.audit).toMatchObject({
      userId: account.id,
      issuer: provider.issuer,
    });
  });

  it('opens the linked account next time, even after the email changed at the provider', async () => {
    const account = await verifiedAccount();
    const login = provider.identity({ email: account.email, email_verified: true });
    await signInAs(login);
    provider.updateIdentity(login, { email: users.nextEmail('moved'), email_verified: false });

    const response = await signInAs(login);

    expect(response.statusCode).toBe(200);
    expect(accountOf(response.json<{ accessToken: string }>().accessToken)).toBe(account.id);
  });

  it.each<[string, (email: string) => TestIdentityClaims]>([
    ['the provider says the email is not verified', (email) => ({ email, email_verified: false })],
    ['the provider says nothing about verification', (email) => ({ email })],
    ['the provider says "true" as a string', (email) => ({ email, email_verified: 'true' })],
  ])('refuses to link an existing account when %s', async (_case, claimsFor) => {
    const account = await verifiedAccount();
    const sessions = await sessionCount();

    const response = await signInAs(provider.identity(claimsFor(account.email)));

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: ErrorCode.OidcLinkRequired });
    expect(lastFailure()).toMatchObject({ reason: 'provider email not verified' });
    expect(await sessionCount()).toBe(sessions);
  });

  it('refuses to link an account whose owner never verified the email here (it may not be theirs)', async () => {
    const account = await users.register();
    const response = await signInAs(provider.identity({ email: account.email, email_verified: true }));

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: ErrorCode.OidcLinkRequired });
    expect(lastFailure()).toMatchObject({ reason: 'account email not verified here', userId: account.id });
  });

  it('creates no account for an email the provider did not verify', async () => {
    const email = users.nextEmail('unverified');
    const response = await signInAs(provider.identity({ email, email_verified: false }));

    expect(response.statusCode).toBe(403);
    const rows = await users.db.query(`SELECT 1 FROM accounts WHERE email = $1`, [email]);
    expect(rows).toHaveLength(0);
  });

  it('refuses an account with two-factor on: the provider is no way around its second factor', async () => {
    const user = await users.turnOnSecondFactor(await users.registerAndLogin());
    await users.db.query(`UPDATE accounts SET email_verified_at = now() WHERE id = $1`, [user.id]);

    const response = await signInAs(provider.identity({ email: user.email, email_verified: true }));

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: ErrorCode.OidcSecondFactorAccount });
  });
});

describe('an answer from the provider', () => {
  const newcomer = () => provider.identity({ email: users.nextEmail('flow'), email_verified: true });

  it('with a tampered state finds no sign-in, and opens no session', async () => {
    const { callbackQuery, binding } = await answerFor(newcomer());
    const sessions = await sessionCount();
    const tampered = new URLSearchParams(callbackQuery);
    tampered.set('state', `${tampered.get('state')!.slice(0, -2)}xx`);

    const response = await complete({ callbackQuery: tampered.toString(), binding });

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.OidcFailed });
    expect(lastFailure()).toMatchObject({ reason: 'transaction unknown or used state' });
    expect(await sessionCount()).toBe(sessions);
  });

  it('brought by another browser (its binding) is refused, and the sign-in it belonged to is spent', async () => {
    const victim = await answerFor(newcomer());
    const attacker = await start();

    const forged = await complete({ callbackQuery: victim.callbackQuery, binding: attacker.binding });
    const afterwards = await complete(victim);

    expect(forged.statusCode).toBe(401);
    expect(lastFailure()).toMatchObject({ reason: 'transaction unknown or used state' });
    expect(users.logs.auditEvents(AuditEvent.OidcLoginFailed).at(-2)?.audit).toMatchObject({
      reason: 'transaction other browser',
    });
    expect(afterwards.statusCode).toBe(401);
  });

  it('replayed as it is works once', async () => {
    const answer = await answerFor(newcomer());

    const first = await complete(answer);
    const second = await complete(answer);

    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(401);
    expect(second.json()).toMatchObject({ code: ErrorCode.OidcFailed });
  });

  it('replayed with the state of a new sign-in is refused: its code was used, and for another PKCE verifier', async () => {
    const used = await answerFor(newcomer());
    expect((await complete(used)).statusCode).toBe(200);
    const fresh = await start();
    const replay = new URLSearchParams(used.callbackQuery);
    replay.set('state', new URL(fresh.authorizationUrl).searchParams.get('state')!);
    const sessions = await sessionCount();

    const response = await complete({ callbackQuery: replay.toString(), binding: fresh.binding });

    expect(response.statusCode).toBe(401);
    expect(lastFailure()?.reason).toMatch(/^provider answer refused/);
    expect(await sessionCount()).toBe(sessions);
  });

  it('after the ten minutes of its sign-in is refused', async () => {
    const answer = await answerFor(newcomer());
    await users.db.query(`UPDATE oidc_transactions SET expires_at = now() - interval '1 second'`);

    const response = await complete(answer);

    expect(response.statusCode).toBe(401);
    expect(lastFailure()).toMatchObject({ reason: 'transaction expired' });
  });

  it.each<[string, (claims: Record<string, unknown>) => Record<string, unknown>, RegExp]>([
    ['from another issuer', (claims) => ({ ...claims, iss: 'http://127.0.0.1:1' }), /"iss"/],
    ['for another client (audience)', (claims) => ({ ...claims, aud: 'another-client' }), /"aud"/],
    ['for another sign-in (nonce)', (claims) => ({ ...claims, nonce: 'another-nonce' }), /"nonce"/],
    ['that has expired', (claims) => ({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 }), /"exp"/],
  ])('with an ID token %s, validly signed by the provider, is refused', async (_case, forgery, reason) => {
    const answer = await answerFor(newcomer());
    const sessions = await sessionCount();
    provider.forgeIdTokens(forgery);
    try {
      const response = await complete(answer);

      expect(response.statusCode).toBe(401);
      expect(lastFailure()?.reason).toMatch(reason);
      expect(await sessionCount()).toBe(sessions);
    } finally {
      provider.forgeIdTokens(undefined);
    }
  });

  it('from an impostor at the provider address (another issuer, other keys) is refused', async () => {
    const { authorizationUrl, binding } = await start();
    provider.impersonate();
    try {
      const callbackQuery = await provider.signIn(authorizationUrl, newcomer(), REDIRECT_URI);
      const response = await complete({ callbackQuery, binding });

      expect(response.statusCode).toBe(401);
      // RFC 9207: the `iss` of the answer names the impostor, not the configured issuer.
      expect(lastFailure()?.reason).toMatch(/"iss"/);
    } finally {
      provider.stopImpersonating();
    }
  });
});

describe('a provider whose discovery document names another issuer', () => {
  it('is refused before any sign-in starts', async () => {
    const impostor = await TestOpenIdProvider.start(CLIENT, {
      claimedIssuer: 'https://accounts.example.com',
    });
    try {
      const relyingParty = new OidcRelyingParty({
        issuer: impostor.issuer,
        clientId: CLIENT.clientId,
        clientSecret: CLIENT.clientSecret,
        providerName: 'Impostor',
        allowHttp: true,
        redirectUri: REDIRECT_URI,
      });
      await expect(
        relyingParty.authorizationUrl({ state: 's', nonce: 'n', codeVerifier: 'v'.repeat(43) }),
      ).rejects.toThrow(/issuer/);
    } finally {
      await impostor.close();
    }
  });
});

describe('linking an identity from a signed-in account (the explicit link step)', () => {
  async function link(accessToken: string, login: string) {
    const started = await users.post('/users/me/identities/oidc', {}, accessToken);
    expect(started.statusCode).toBe(201);
    const { authorizationUrl, binding } = started.json<Started>();
    return complete({ callbackQuery: await provider.signIn(authorizationUrl, login, REDIRECT_URI), binding });
  }

  it('links an identity the email rules would refuse, which then opens the account', async () => {
    const user = await users.registerAndLogin();
    const login = provider.identity({ email: users.nextEmail('elsewhere'), email_verified: false });

    const linked = await link(user.accessToken, login);

    expect(linked.statusCode).toBe(200);
    expect(linked.json()).toEqual({ linked: true });
    expect(users.logs.auditEvents(AuditEvent.OidcIdentityLinked).at(-1)?.audit).toMatchObject({
      userId: user.id,
      reason: 'explicit link',
    });
    const signedIn = await signInAs(login);
    expect(accountOf(signedIn.json<{ accessToken: string }>().accessToken)).toBe(user.id);
  });

  it('needs a recent authentication: a stolen access token alone links nothing', async () => {
    const user = await users.anHourAfterLogin(await users.registerAndLogin());

    const response = await users.post('/users/me/identities/oidc', {}, user.accessToken);

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: ErrorCode.ReauthenticationRequired });
  });

  it('never moves an identity linked to another account', async () => {
    const owner = await verifiedAccount();
    const login = provider.identity({ email: owner.email, email_verified: true });
    await signInAs(login);
    const other = await users.registerAndLogin();

    const response = await link(other.accessToken, login);

    expect(response.statusCode).toBe(409);
    expect(accountOf((await signInAs(login)).json<{ accessToken: string }>().accessToken)).toBe(owner.id);
  });
});
