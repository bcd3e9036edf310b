import { type Browser, type Page } from 'playwright-core';
import { AuditEvent, OIDC_BINDING_COOKIE, REFRESH_COOKIE } from '@runnerly/security';
import { freePort, GatewayClient, TestOpenIdProvider } from '@runnerly/testing';
import { Stack } from '../support/stack';
import { describeInBrowser, launchChromium, pageReady, signIn, siteUrl } from './support/chromium';

const CLIENT_ID = 'runnerly-web';
const CLIENT_SECRET = 'stack-test-secret-of-the-provider';

let stack: Stack;
let browser: Browser;
let provider: TestOpenIdProvider;
let callbackUrl: string;

beforeAll(async () => {
  // The redirect URI is registered at the provider before the stack starts, so the gateway's port is chosen here.
  const gatewayPort = await freePort();
  const origin = `http://localhost:${gatewayPort}`;
  callbackUrl = `${origin}/api/auth/oidc/callback`;
  provider = await TestOpenIdProvider.start({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: callbackUrl,
  });
  [stack, browser] = await Promise.all([
    Stack.start({
      extra: {
        gateway: { PORT: String(gatewayPort) },
        users: {
          PUBLIC_ORIGIN: origin,
          OIDC_ISSUER: provider.issuer,
          OIDC_CLIENT_ID: CLIENT_ID,
          OIDC_CLIENT_SECRET: CLIENT_SECRET,
          OIDC_PROVIDER_NAME: 'Test ID',
        },
      },
    }),
    launchChromium(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await provider?.close();
});

let emails = 0;
const newIdentity = () =>
  provider.identity({ email: `oidc.${++emails}.${Date.now()}@example.com`, email_verified: true });

const sessionCount = async () => {
  const [row] = await stack.database('users').query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions`);
  return row!.n;
};

const oidcFailures = () =>
  (stack.logs.users ?? [])
    .map((line) => line.audit as { event?: string; reason?: string } | undefined)
    .filter((audit) => audit?.event === AuditEvent.OidcLoginFailed);

/** Clicks "Sign in with Test ID" on the sign-in page, and signs in as `login` on the provider's own page. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.goto(siteUrl(stack, '/sign-in'));
  await pageReady(page, 'sign-in');
  await page.click('[data-test="oidc-sign-in"]');
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'any password');
  await page.click('button[type="submit"]');
}

/** Signs `login` in at the provider, held before the redirect back (the browser does not load it): its URL. */
async function heldCallbackUrl(page: Page, login: string): Promise<string> {
  provider.holdRedirectsBack(true);
  try {
    await signInAtProvider(page, login);
    const href = await (await page.waitForSelector('#callback')).getAttribute('href');
    expect(href?.startsWith(`${callbackUrl}?`)).toBe(true);
    return href!;
  } finally {
    provider.holdRedirectsBack(false);
  }
}

async function expectSignInError(page: Page): Promise<void> {
  await page.waitForSelector('body[data-page="sign-in"] [data-test="error"]');
  // Shown, then taken out of the address bar.
  expect(new URL(page.url()).hash).toBe('');
  expect(await page.textContent('[data-test="error"]')).toMatch(/sign-in with the provider did not complete/);
}

describeInBrowser('signing in with an OpenID provider, in Chromium', () => {
  it('goes to the provider and back, signed in on the runs page with the refresh cookie and no binding left', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sessions = await sessionCount();

    await signInAtProvider(page, newIdentity());
    await pageReady(page, 'runs');

    expect(new URL(page.url()).pathname).toBe('/runs');
    const cookies = (await context.cookies()).map((cookie) => cookie.name);
    expect(cookies).toContain(REFRESH_COOKIE);
    expect(cookies).not.toContain(OIDC_BINDING_COOKIE);
    expect(await sessionCount()).toBe(sessions + 1);
    await context.close();
  });

  it('with a tampered state in the callback URL comes back to the sign-in page with an error, and no session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const genuine = new URL(await heldCallbackUrl(page, newIdentity()));
    const sessions = await sessionCount();
    genuine.searchParams.set('state', `${genuine.searchParams.get('state')!.slice(0, -2)}xx`);

    await page.goto(genuine.href);
    await expectSignInError(page);

    expect(oidcFailures().at(-1)).toMatchObject({ reason: 'transaction unknown or used state' });
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain(REFRESH_COOKIE);
    expect(await sessionCount()).toBe(sessions);
    await context.close();
  });

  it('refuses the same callback URL (the same code) a second time, in any browser: no new session', async () => {
    const victim = await browser.newContext();
    const victimPage = await victim.newPage();
    const used = await heldCallbackUrl(victimPage, newIdentity());
    await victimPage.goto(used);
    await pageReady(victimPage, 'runs');
    const sessions = await sessionCount();

    // Replayed by another browser that started a sign-in of its own (so it has a binding cookie, for another state).
    const attacker = await browser.newContext();
    const attackerPage = await attacker.newPage();
    await attacker.route(
      (url) => url.href.startsWith(provider.issuer),
      (route) => route.abort(),
    );
    await attackerPage.goto(siteUrl(stack, '/api/auth/oidc/start')).catch(() => undefined);
    expect((await attacker.cookies()).map((cookie) => cookie.name)).toContain(OIDC_BINDING_COOKIE);
    await attacker.unrouteAll();
    await attackerPage.goto(used);
    await expectSignInError(attackerPage);

    expect(oidcFailures().at(-1)).toMatchObject({ reason: 'transaction unknown or used state' });
    expect(await sessionCount()).toBe(sessions);
    await Promise.all([victim.close(), attacker.close()]);
  });

  it('refuses a provider whose issuer is not the configured one (an impostor at its address): no session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sessions = await sessionCount();
    provider.impersonate();
    try {
      await signInAtProvider(page, newIdentity());
      await expectSignInError(page);
    } finally {
      provider.stopImpersonating();
    }

    expect(oidcFailures().at(-1)?.reason).toMatch(/^provider answer refused: .*"iss"/);
    expect(await sessionCount()).toBe(sessions);
    await context.close();
  });

  it('links an identity from the sessions page of a signed-in account, which then signs in to that account', async () => {
    const account = await new GatewayClient(stack.gatewayUrl).signUp('linker');
    // An email the provider did not verify: only the explicit link can tie this identity to an account.
    const login = provider.identity({ email: `elsewhere.${Date.now()}@example.com`, email_verified: false });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, stack, account.email, account.password);
    await page.goto(siteUrl(stack, '/sessions'));
    await pageReady(page, 'sessions');

    await page.click('[data-test="oidc-link"]');
    await page.waitForURL((url) => url.href.startsWith(provider.issuer));
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', 'any password');
    await page.click('button[type="submit"]');
    await pageReady(page, 'sessions');
    await context.close();

    const fresh = await browser.newContext();
    const freshPage = await fresh.newPage();
    await signInAtProvider(freshPage, login);
    await pageReady(freshPage, 'runs');
    const [linked] = await stack
      .database('users')
      .query<{ account_id: string }>(`SELECT account_id FROM external_identities WHERE subject = $1`, [
        login,
      ]);
    expect(linked?.account_id).toBe(account.id);
    await fresh.close();
  });
});
