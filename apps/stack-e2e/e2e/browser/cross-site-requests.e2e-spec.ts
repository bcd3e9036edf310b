import { REFRESH_COOKIE } from '@runnerly/security';
import { AttackerSite } from './support/attacker-site';
import { describeInBrowser, pageReady, signIn, siteUrl, useBrowserSuite } from './support/chromium';

const suite = useBrowserSuite();
let attacker: AttackerSite;

beforeAll(async () => {
  attacker = await AttackerSite.start(siteUrl(suite.stack, '').replace(/\/$/, ''));
});
afterAll(async () => {
  await attacker?.close();
});

/** The gateway's answers to the browser session routes so far, as its access log has them. */
const browserSessionAnswers = () =>
  (suite.stack.logs.gateway ?? [])
    .filter((line) => line.msg === 'request completed')
    .map((line) => line as { req: { method: string; url: string }; res: { statusCode: number } })
    .filter((line) => line.req.url.startsWith('/api/auth/browser/'))
    .map((line) => `${line.req.method} ${line.req.url} ${line.res.statusCode}`);

/** The session events of `users` so far: a forged refresh or logout that got through would add one. */
const sessionEvents = () =>
  (suite.stack.logs.users ?? [])
    .map((line) => (line.audit as { event?: string } | undefined)?.event)
    .filter((event) => event === 'auth.token.refreshed' || event === 'auth.logged_out');

describeInBrowser('a page of another origin, open in the same browser as a signed-in user', () => {
  // localhost and 127.0.0.1 are different sites; localhost:3000 and localhost:<any port> are the same site, so
  // SameSite=Strict still sends the cookie from there, and the gateway's own checks must refuse the request.
  it.each([
    ['another site (127.0.0.1)', (port: number) => `http://127.0.0.1:${port}/`],
    ['the same site on another port (localhost)', (port: number) => `http://localhost:${port}/`],
  ])('on %s cannot refresh, sign out or read anything', async (_where, attackerUrl) => {
    const account = await suite.api.signUp('csrf-target');
    const context = await suite.browser.newContext();
    const victim = await context.newPage();
    await signIn(victim, suite.stack, account.email, account.password);
    const [cookieBefore] = await context.cookies();
    const eventsBefore = sessionEvents().length;
    const answersBefore = browserSessionAnswers().length;

    const evil = await context.newPage();
    await evil.goto(attackerUrl(attacker.port));
    await evil.waitForFunction(() => (window as unknown as { attemptsDone?: boolean }).attemptsDone === true);
    const attempts = await evil.evaluate(() => (window as unknown as { attempts: object }).attempts);
    const readable = await evil.evaluate(() => document.cookie);

    // The fetch that would pass the gateway's checks needs a CORS preflight, which the gateway does not answer
    // for another origin: the browser never sends the POST.
    const answers = browserSessionAnswers().slice(answersBefore);
    expect(attempts).toMatchObject({ 'fetch with the custom header': 'refused by the browser' });
    expect(answers).toContain('OPTIONS /api/auth/browser/refresh 404');
    // The others are simple requests (a text/plain or form body, no custom header): sent, and refused by the
    // gateway; the browser hides even that answer from the page (Cross-Origin-Resource-Policy).
    const posts = answers.filter((answer) => answer.startsWith('POST'));
    expect(posts).toHaveLength(4);
    for (const post of posts) expect(post).toMatch(/ (403|415)$/);
    expect(readable).not.toContain(REFRESH_COOKIE);
    expect(sessionEvents().length).toBe(eventsBefore);
    expect(await context.cookies()).toEqual([cookieBefore]);

    // The session is whole: the victim's next page load refreshes with the cookie and shows the runs.
    await victim.reload();
    await pageReady(victim, 'runs');
    await context.close();
  });
});
