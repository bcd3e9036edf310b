import { type Page } from 'playwright-core';
import { cspViolations, describeInBrowser, signIn, siteUrl, useBrowserSuite } from './support/chromium';

/** Each payload, if it ever ran, would record its name in window.__xss. */
const PAYLOADS = {
  imgOnerror: `<img src=x onerror="window.__xss=(window.__xss||[]).concat('img')">`,
  scriptTag: `<script>window.__xss=(window.__xss||[]).concat('script')</script>`,
  svgOnload: `<svg onload="window.__xss=(window.__xss||[]).concat('svg')"></svg>`,
  javascriptUrl: `<a href="javascript:window.__xss=['link']">open</a>`,
};

const DISPLAY_NAME = '<img src=x onerror=alert(1)>';

const suite = useBrowserSuite();

const xssRan = (page: Page) => page.evaluate(() => (window as unknown as { __xss?: string[] }).__xss ?? []);

describeInBrowser('stored cross-site scripting against the web client', () => {
  let page: Page;

  beforeAll(async () => {
    const victim = await suite.api.signUp('xss');
    await suite.api.call('PATCH', '/api/users/me', {
      token: victim.accessToken,
      json: { displayName: DISPLAY_NAME },
    });
    for (const [name, payload] of Object.entries(PAYLOADS))
      await suite.api.createRun(victim.accessToken, {
        title: `${name} ${payload}`.slice(0, 100),
        notes: payload,
      });
    page = await (await suite.browser.newContext()).newPage();
    await signIn(page, suite.stack, victim.email, victim.password);
  });

  it('shows payloads in titles, notes and the display name as text, and none of them runs', async () => {
    const titles = await page.locator('[data-test="run-title"]').allTextContents();
    const notes = await page.locator('[data-test="run-notes"]').allTextContents();

    expect(titles).toHaveLength(4);
    expect(titles.every((title) => title.includes('<'))).toBe(true);
    expect(notes.sort()).toEqual(Object.values(PAYLOADS).sort());
    expect(await page.textContent('[data-test="display-name"]')).toBe(DISPLAY_NAME);
    expect(await page.locator('[data-test="run-list"] img, [data-test="run-list"] script').count()).toBe(0);
    expect(await xssRan(page)).toEqual([]);
    expect(await cspViolations(suite.stack)).toEqual([]);
  });

  // Suppose a later change to the client rendered user text as HTML or built script from it. The page's CSP must
  // still stop it, and the gateway must hear about it. Each row is one such mistake, run in the page as the
  // client's own code would run it.
  it.each([
    [
      'innerHTML with an onerror handler',
      () => {
        document.querySelector('[data-test="run-title"]')!.innerHTML =
          `<img src=x onerror="window.__xss=['innerHTML']">`;
      },
      /^require-trusted-types-for$/,
    ],
    [
      'insertAdjacentHTML with a script tag',
      () => document.body.insertAdjacentHTML('beforeend', `<script>window.__xss=['adjacent']</script>`),
      /^require-trusted-types-for$/,
    ],
    [
      'a script element built from text',
      () => {
        const script = document.createElement('script');
        script.text = "window.__xss=['element']";
        document.body.append(script);
      },
      /^require-trusted-types-for$/,
    ],
    [
      // 'strict-dynamic' trusts scripts that running script adds; Trusted Types is what refuses the URL.
      'a script element pointed at another site',
      () => {
        const script = document.createElement('script');
        script.src = 'http://127.0.0.1:9/steal.js';
        document.body.append(script);
      },
      /^require-trusted-types-for$/,
    ],
    [
      'an inline handler set as an attribute',
      () => {
        const image = document.createElement('img');
        image.setAttribute('onerror', "window.__xss=['attribute']");
        image.src = '/no-such-image';
        document.body.append(image);
      },
      /^(require-trusted-types-for|script-src-attr)$/,
    ],
  ])('blocks %s, and reports the violation to the gateway', async (_mistake, mistake, directive) => {
    const before = (await cspViolations(suite.stack)).length;

    await page.evaluate(mistake).catch(() => 'the sink threw');
    const reports = (await cspViolations(suite.stack, before + 1)).slice(before);

    expect(await xssRan(page)).toEqual([]);
    expect(reports).toEqual([
      expect.objectContaining({
        directive: expect.stringMatching(directive),
        page: siteUrl(suite.stack, '/runs'),
      }),
    ]);
  });

  it('draws the client in no frame of another site (frame-ancestors, X-Frame-Options)', async () => {
    const attacker = await suite.browser.newPage();
    await attacker.setContent(`<iframe src="${siteUrl(suite.stack, '/runs')}"></iframe>`);
    await attacker.waitForTimeout(500);

    const drawn = await Promise.all(
      attacker
        .frames()
        .map((frame) => frame.evaluate(() => document.body?.dataset.page ?? null).catch(() => null)),
    );
    expect(drawn.filter((page) => page !== null)).toEqual([]);
    await attacker.close();
  });
});
