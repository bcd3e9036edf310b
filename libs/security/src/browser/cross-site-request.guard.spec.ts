import { Controller, HttpCode, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditEvent } from '../logging/audit-log.service';
import { createTestApp, LogCapture } from '../testing';
import {
  BrowserSessionEndpoint,
  CrossSiteRequestGuard,
  CSRF_HEADER,
  TRUSTED_BROWSER_ORIGIN,
} from './cross-site-request.guard';

const SITE = 'https://runnerly.example';

@Controller('session')
class SessionRoutes {
  @BrowserSessionEndpoint()
  @HttpCode(204)
  @Post('refresh')
  refresh(): void {}
}

/** What the site's own page sends: its origin, Fetch Metadata, the custom header, JSON. */
const OWN_PAGE = {
  origin: SITE,
  'sec-fetch-site': 'same-origin',
  [CSRF_HEADER]: '1',
  'content-type': 'application/json',
};

describe('BrowserSessionEndpoint (cross-site request forgery defence)', () => {
  const logs = new LogCapture();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({
      logs,
      controllers: [SessionRoutes],
      providers: [{ provide: TRUSTED_BROWSER_ORIGIN, useValue: SITE }, CrossSiteRequestGuard],
    });
  });
  afterAll(() => app.close());
  beforeEach(() => logs.clear());

  const post = (headers: Record<string, string | undefined>) =>
    app.inject({
      method: 'POST',
      url: '/session/refresh',
      headers: Object.fromEntries(
        Object.entries(headers).filter(([, value]) => value !== undefined),
      ) as Record<string, string>,
      payload: '{}',
    });

  it("answers the site's own page", async () => {
    expect((await post(OWN_PAGE)).statusCode).toBe(204);
  });

  it('answers a browser that sends no Fetch Metadata (older browsers) when the other checks pass', async () => {
    expect((await post({ ...OWN_PAGE, 'sec-fetch-site': undefined })).statusCode).toBe(204);
  });

  it.each([
    [
      'no custom header (a form or a no-cors fetch cannot send one)',
      { [CSRF_HEADER]: undefined },
      `missing ${CSRF_HEADER} header`,
    ],
    ['a custom header with another value', { [CSRF_HEADER]: 'yes' }, `missing ${CSRF_HEADER} header`],
    [
      'another origin of the same site (cookies still sent)',
      { origin: 'https://blog.runnerly.example' },
      'origin is not the site',
    ],
    ['another site', { origin: 'https://evil.example' }, 'origin is not the site'],
    ['the same host over plain HTTP', { origin: 'http://runnerly.example' }, 'origin is not the site'],
    ['no Origin at all', { origin: undefined }, 'origin is not the site'],
    ['the opaque origin of a sandboxed frame', { origin: 'null' }, 'origin is not the site'],
    ['Fetch Metadata saying same-site', { 'sec-fetch-site': 'same-site' }, 'sec-fetch-site is same-site'],
    ['Fetch Metadata saying cross-site', { 'sec-fetch-site': 'cross-site' }, 'sec-fetch-site is cross-site'],
  ])('refuses %s with 403 and an audit line', async (_case, change, reason) => {
    const response = await post({ ...OWN_PAGE, ...change });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ statusCode: 403, code: 'AUTH.CROSS_SITE_REQUEST' });
    expect(logs.auditEvents(AuditEvent.CrossSiteRequestRefused).map((line) => line.audit)).toEqual([
      expect.objectContaining({ reason, path: '/session/refresh' }),
    ]);
  });
});
