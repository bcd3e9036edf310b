import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayClient, WORKSPACE_ROOT } from '@runnerly/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { Stack } from '../../support/stack';

/** Debian's Chromium (`apt-get install chromium`, as .ci/run does), or the one CHROMIUM_PATH names. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the suites keep their screenshots of the main pages (a test artifact, not committed). */
export const SCREENSHOTS_DIR = join(WORKSPACE_ROOT, '.runnerly', 'screenshots');

/**
 * `describe` where Chromium is installed. Elsewhere the suite is skipped with a warning, or fails under
 * RUNNERLY_REQUIRE_ALL=1 (as in CI), so a machine without a browser never passes these tests unseen.
 */
export const describeInBrowser: jest.Describe =
  existsSync(CHROMIUM_PATH) || process.env.RUNNERLY_REQUIRE_ALL === '1' ? describe : skipWithWarning();

function skipWithWarning(): jest.Describe {
  process.emitWarning(`Browser suites skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  return describe.skip;
}

/**
 * Headless Chromium driven by playwright-core over the DevTools protocol. Chromium's sandbox needs user
 * namespaces, which a root user (a CI container) does not get: there, and only there, it runs without.
 */
export function launchChromium(): Promise<Browser> {
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: asRoot ? ['--no-sandbox'] : [],
  });
}

/** What a browser suite works with: the whole stack, a Chromium, and an API client for setting up accounts. */
export interface BrowserSuite {
  stack: Stack;
  browser: Browser;
  api: GatewayClient;
}

/** Starts a stack and Chromium before the file's tests and stops both after them. */
export function useBrowserSuite(): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    [suite.stack, suite.browser] = await Promise.all([Stack.start(), launchChromium()]);
    suite.api = new GatewayClient(suite.stack.gatewayUrl);
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.stack?.stop();
  });
  return suite;
}

/**
 * The web client as a browser reaches it: at `localhost`, the origin the gateway trusts by default
 * (PUBLIC_ORIGIN `http://localhost:<port>`). `127.0.0.1` is another site as far as the browser is concerned.
 */
export function siteUrl(stack: Stack, path = '/'): string {
  return `http://localhost:${stack.env.gateway.PORT}${path}`;
}

/** Waits until the client has drawn a page with its data (the client's `data-ready` hook). */
export async function pageReady(page: Page, name: string): Promise<void> {
  await page.waitForSelector(`body[data-page="${name}"][data-ready="true"]`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}

/** The CSP violations the gateway was sent (its `CSP violation` warnings), waiting briefly for late reports. */
export async function cspViolations(stack: Stack, atLeast = 0): Promise<Record<string, unknown>[]> {
  const found = () => (stack.logs.gateway ?? []).filter((line) => line.msg === 'CSP violation');
  for (let waited = 0; found().length < atLeast && waited < 5_000; waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return found().map((line) => line.csp as Record<string, unknown>);
}

/** Signs in through the sign-in page and waits for the runs page. */
export async function signIn(page: Page, stack: Stack, email: string, password: string): Promise<void> {
  await page.goto(siteUrl(stack, '/sign-in'));
  await pageReady(page, 'sign-in');
  await page.fill('[data-test="sign-in-form"] [data-test="email"]', email);
  await page.fill('[data-test="sign-in-form"] [data-test="password"]', password);
  await page.click('[data-test="sign-in-form"] [data-test="submit"]');
  await pageReady(page, 'runs');
}
