import { Secret, TOTP } from 'otpauth';
import { type Page } from 'playwright-core';
import { GatewayClient } from '@runnerly/testing';
import { REFRESH_COOKIE } from '@runnerly/security';
import {
  cspViolations,
  describeInBrowser,
  pageReady,
  screenshot,
  signIn,
  siteUrl,
  useBrowserSuite,
} from './support/chromium';

const PASSWORD = 'a good long passphrase 1';

const suite = useBrowserSuite();

async function recordRun(page: Page, run: { title: string; km: string; minutes: string; notes?: string }) {
  const form = '[data-test="record-run-form"]';
  await page.fill(`${form} [data-test="title"]`, run.title);
  await page.fill(`${form} [data-test="distance-km"]`, run.km);
  await page.fill(`${form} [data-test="duration-minutes"]`, run.minutes);
  if (run.notes) await page.fill(`${form} [data-test="notes"]`, run.notes);
  await page.click(`${form} [data-test="submit"]`);
  await page.waitForSelector(`[data-test="run-title"]:text-is("${run.title}")`);
  await pageReady(page, 'runs');
}

describeInBrowser('the web client, in Chromium, through the whole suite.stack', () => {
  it('signs up, signs in, records and deletes runs, charts the week, and keeps the session across a reload', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    const email = GatewayClient.nextEmail('journey');

    await page.goto(siteUrl(suite.stack, '/'));
    await pageReady(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await page.click('[data-test="sign-up-link"]');
    await pageReady(page, 'sign-up');
    await page.fill('[data-test="display-name-input"]', 'Ada Runner');
    await page.fill('[data-test="sign-up-form"] [data-test="email"]', email);
    await page.fill('[data-test="sign-up-form"] [data-test="password"]', PASSWORD);
    await page.click('[data-test="sign-up-form"] [data-test="submit"]');
    await pageReady(page, 'sign-in');
    await expect(page.textContent('[data-test="notice"]')).resolves.toMatch(/verify|confirm/i);

    await signIn(page, suite.stack, email, PASSWORD);
    expect(await page.textContent('[data-test="display-name"]')).toBe('Ada Runner');
    await recordRun(page, { title: 'Morning tempo', km: '10', minutes: '48', notes: 'Felt strong.' });
    await recordRun(page, { title: 'Recovery jog', km: '5.5', minutes: '33' });

    expect(await page.locator('[data-test="run-item"]').count()).toBe(2);
    const bars = page.locator('[data-test="chart-bar"]');
    const distances = await bars.evaluateAll((rects) =>
      rects.map((rect) => rect.getAttribute('data-distance-meters')),
    );
    expect(distances).toContain('15500');
    await screenshot(page, 'runs');

    await page.reload();
    await pageReady(page, 'runs');
    expect(await page.locator('[data-test="run-item"]').count()).toBe(2);

    await page.click('[data-test="run-item"]:has-text("Recovery jog") [data-test="delete-run"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-test="run-item"]').length === 1);
    await page.reload();
    await pageReady(page, 'runs');
    expect(await page.locator('[data-test="run-title"]').allTextContents()).toEqual(['Morning tempo']);
    expect(await cspViolations(suite.stack)).toEqual([]);
    await context.close();
  });

  it('keeps the refresh token where no script can read it, and the access token in memory only', async () => {
    const account = await suite.api.signUp('storage');
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await signIn(page, suite.stack, account.email, account.password);

    const [cookie, ...others] = await context.cookies();
    expect(others).toEqual([]);
    expect(cookie).toMatchObject({
      name: REFRESH_COOKIE,
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      expires: -1,
    });
    const seenByScript = await page.evaluate(() => ({
      cookie: document.cookie,
      local: Object.keys(localStorage).length,
      session: Object.keys(sessionStorage).length,
      url: location.href,
    }));
    expect(seenByScript).toEqual({ cookie: '', local: 0, session: 0, url: siteUrl(suite.stack, '/runs') });
    await context.close();
  });

  it('lists the sessions, ends another device, and signs out', async () => {
    const account = await suite.api.signUp('sessions');
    const laptop = await suite.browser.newContext({ userAgent: 'Laptop browser' });
    const phone = await suite.browser.newContext({ userAgent: 'Phone browser' });
    const onLaptop = await laptop.newPage();
    const onPhone = await phone.newPage();
    await signIn(onPhone, suite.stack, account.email, account.password);
    await signIn(onLaptop, suite.stack, account.email, account.password);

    await onLaptop.click('[data-test="nav-sessions"]');
    await pageReady(onLaptop, 'sessions');
    // The phone, the laptop, and the session signUp opened through the API.
    expect(await onLaptop.locator('[data-test="session-item"]').count()).toBe(3);
    expect(
      await onLaptop.textContent(
        '[data-test="session-item"][data-current="true"] [data-test="session-client"]',
      ),
    ).toBe('Laptop browser');
    await screenshot(onLaptop, 'sessions');
    await onLaptop.click('[data-test="revoke-others"]');
    // The list redraws when the call returns: wait for it rather than for a ready flag it may not have lowered yet.
    await onLaptop.waitForFunction(() => document.querySelectorAll('[data-test="session-item"]').length < 3);
    expect(await onLaptop.locator('[data-test="session-item"]').count()).toBe(1);

    await onPhone.reload();
    await pageReady(onPhone, 'sign-in');
    expect(await phone.cookies()).toEqual([]);

    await onLaptop.click('[data-test="sign-out"]');
    await pageReady(onLaptop, 'sign-in');
    expect(await laptop.cookies()).toEqual([]);
    await onLaptop.goto(siteUrl(suite.stack, '/runs'));
    await pageReady(onLaptop, 'sign-in');
    await Promise.all([laptop.close(), phone.close()]);
  });

  it('asks for the second factor of an account that has it, and signs in with the code', async () => {
    const account = await suite.api.signUp('two-factor');
    const { secret } = (
      await suite.api.call<{ secret: string }>('POST', '/api/users/me/mfa/totp', {
        token: account.accessToken,
        json: {},
      })
    ).body;
    const totp = new TOTP({ secret: Secret.fromBase32(secret) });
    await suite.api.call('POST', '/api/users/me/mfa/totp/confirm', {
      token: account.accessToken,
      json: { code: totp.generate() },
    });
    const context = await suite.browser.newContext();
    const page = await context.newPage();

    await page.goto(siteUrl(suite.stack, '/sign-in'));
    await pageReady(page, 'sign-in');
    await page.fill('[data-test="sign-in-form"] [data-test="email"]', account.email);
    await page.fill('[data-test="sign-in-form"] [data-test="password"]', account.password);
    await page.click('[data-test="sign-in-form"] [data-test="submit"]');
    await page.waitForSelector('[data-test="second-factor-form"]:visible');
    expect(await context.cookies()).toEqual([]);
    // The next period's code: the confirmation above spent this one's.
    await page.fill('[data-test="code"]', totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.click('[data-test="second-factor-form"] [data-test="submit"]');
    await pageReady(page, 'runs');

    expect((await context.cookies()).map((cookie) => cookie.name)).toEqual([REFRESH_COOKIE]);
    await context.close();
  });
});
