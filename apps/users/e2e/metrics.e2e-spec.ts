import { randomUUID } from 'node:crypto';
import { AuditEvent, ErrorCode } from '@runnerly/security';
import { ScrapedMetrics } from '@runnerly/security/testing';
import { freePort } from '@runnerly/testing';
import { UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;
let metricsPort: number;

beforeAll(async () => {
  metricsPort = await freePort();
  users = await UsersTestApp.start({ METRICS_PORT: String(metricsPort) });
}, 60_000);

afterAll(() => users?.close());

const scrape = () => ScrapedMetrics.from(metricsPort);
const SERVICE = { service: 'users' };

describe('the metrics of users', () => {
  it('counts a login failure by its bounded reason: an unknown account, then a wrong password', async () => {
    const user = await users.register();
    await users.post('/auth/login', { email: users.nextEmail('ghost'), password: 'not the password at all' });
    await users.post('/auth/login', { email: user.email, password: 'not the password at all' });

    const metrics = await scrape();
    const failures = (reason: string) =>
      metrics.value('runnerly_security_events_total', {
        ...SERVICE,
        event: AuditEvent.LoginFailed,
        reason,
      });
    expect([failures('unknown_account'), failures('wrong_password'), failures('other')]).toEqual([1, 1, 0]);
    expect(metrics.text).not.toContain(user.email);
  });

  const TOKENS: Record<string, (app: UsersTestApp) => string> = {
    'an expired token': (app) => app.tokens.expired(),
    'a token naming an unknown key id': (app) => app.tokens.forge('naming an unknown kid'),
    'a token signed by a foreign key': (app) =>
      app.tokens.forge('signed by a foreign key under the real kid'),
  };

  it.each([
    ['an expired token', 'expired'],
    ['a token naming an unknown key id', 'invalid'],
    ['a token signed by a foreign key', 'invalid'],
  ])('counts %s as auth.token.rejected with reason %s', async (presented, reason) => {
    const series = { ...SERVICE, event: AuditEvent.TokenRejected, reason };
    const before = (await scrape()).value('runnerly_security_events_total', series);
    expect((await users.get('/users/me', TOKENS[presented]!(users))).statusCode).toBe(401);
    expect((await scrape()).value('runnerly_security_events_total', series)).toBe(before + 1);
  });

  it('counts the access token of a logged-out session as auth.token.rejected with reason session_ended', async () => {
    const user = await users.registerAndLogin();
    await users.post('/auth/logout', { refreshToken: user.refreshToken });
    const series = { ...SERVICE, event: AuditEvent.TokenRejected, reason: 'session_ended' };
    const before = (await scrape()).value('runnerly_security_events_total', series);
    expect((await users.get('/users/me', user.accessToken)).statusCode).toBe(401);
    expect((await scrape()).value('runnerly_security_events_total', series)).toBe(before + 1);
  });

  it('counts a validation failure as an error answer of its route and code', async () => {
    const response = await users.post('/auth/register', { email: 'not an email', password: 'short' });
    expect(response.json()).toMatchObject({ code: ErrorCode.ValidationFailed });
    const metrics = await scrape();
    expect(
      metrics.value('runnerly_error_responses_total', {
        ...SERVICE,
        route: '/auth/register',
        code: ErrorCode.ValidationFailed,
      }),
    ).toBe(1);
  });

  it('labels requests with their route template, never the id, user id or unknown path they carry', async () => {
    const user = await users.registerAndLogin();
    const sessionId = randomUUID();
    expect((await users.delete(`/users/me/sessions/${sessionId}`, user.accessToken)).statusCode).toBe(404);
    await users.get(`/users/${user.id}/sessions`, user.accessToken);
    await users.get(`/no-such-path/${randomUUID()}`);

    const metrics = await scrape();
    const routes = metrics.labelValues('runnerly_http_requests_total', 'route');
    expect(routes).toContain('/users/me/sessions/:id');
    expect(routes).toContain('unmatched');
    expect([...routes].filter((route) => /[0-9a-f]{8}-|no-such-path/.test(route))).toEqual([]);
    expect(metrics.text).not.toContain(sessionId);
    expect(metrics.text).not.toContain(user.id);
    expect(
      metrics.value('runnerly_http_request_duration_seconds_count', {
        ...SERVICE,
        method: 'DELETE',
        route: '/users/me/sessions/:id',
        status_code: '404',
      }),
    ).toBe(1);
  });
});
