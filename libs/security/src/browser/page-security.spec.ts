import { Controller, Get, Res } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply } from 'fastify';
import { API_CSP } from '../http/security-headers';
import { createTestApp } from '../testing';
import {
  CSP_REPORT_PATH,
  cspViolationFrom,
  newCspNonce,
  PAGE_PERMISSIONS_POLICY,
  pageContentSecurityPolicy,
} from './page-security';

describe("the web client's page policy", () => {
  const directives = (policy: string) => new Map(policy.split('; ').map((d) => [d.split(' ')[0], d]));

  it('allows script only by the nonce (and what it loads), never inline code or eval', () => {
    const policy = directives(pageContentSecurityPolicy('abc123'));

    expect(policy.get('script-src')).toBe("script-src 'nonce-abc123' 'strict-dynamic'");
    expect(pageContentSecurityPolicy('abc123')).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it.each([
    ["default-src 'none'"],
    ["style-src 'self'"],
    ["connect-src 'self'"],
    ["frame-ancestors 'none'"],
    ["base-uri 'none'"],
    ["object-src 'none'"],
    ["form-action 'self'"],
    ["require-trusted-types-for 'script'"],
    ["trusted-types 'none'"],
    [`report-uri ${CSP_REPORT_PATH}`],
  ])('has %s', (directive) => {
    expect(pageContentSecurityPolicy('n').split('; ')).toContain(directive);
  });

  it('makes a new 128-bit nonce for every page', () => {
    const nonces = new Set(Array.from({ length: 100 }, newCspNonce));

    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });

  it('turns off the powerful features the client never uses', () => {
    expect(PAGE_PERMISSIONS_POLICY).toMatch(/camera=\(\), microphone=\(\), geolocation=\(\)/);
  });
});

@Controller()
class Pages {
  @Get('page')
  page(@Res() reply: FastifyReply): FastifyReply {
    return reply
      .header('content-security-policy', pageContentSecurityPolicy('n0nce'))
      .type('text/html')
      .send('<!doctype html>');
  }

  @Get('data')
  data(): { ok: true } {
    return { ok: true };
  }
}

describe('a route that serves a page', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp({ controllers: [Pages] });
  });
  afterAll(() => app.close());

  it('keeps its own CSP under the other security headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/page' });

    expect(response.headers['content-security-policy']).toBe(pageContentSecurityPolicy('n0nce'));
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('leaves every other route the CSP that allows nothing', async () => {
    const response = await app.inject({ method: 'GET', url: '/data' });

    expect(response.headers['content-security-policy']).toBe(API_CSP);
  });
});

describe('cspViolationFrom', () => {
  it('reads a report-uri report, keeping a blocked URL without its query', () => {
    const report = {
      'csp-report': {
        'document-uri': 'https://runnerly.example/runs?token=secret#x',
        'violated-directive': 'img-src',
        'effective-directive': 'img-src',
        'blocked-uri': 'https://evil.example/steal?c=secret',
        sample: '<img src=x onerror=…>',
      },
    };

    expect(cspViolationFrom(report)).toEqual({
      directive: 'img-src',
      blocked: 'https://evil.example/steal',
      page: 'https://runnerly.example/runs',
    });
  });

  it('reads a Reporting API report, keeping keywords such as trusted-types-sink as they are', () => {
    const reports = [
      {
        type: 'csp-violation',
        url: 'https://runnerly.example/runs',
        body: {
          documentURL: 'https://runnerly.example/runs',
          effectiveDirective: 'require-trusted-types-for',
          blockedURL: 'trusted-types-sink',
          sample: 'Element innerHTML|<img src=x>',
        },
      },
    ];

    expect(cspViolationFrom(reports)).toEqual({
      directive: 'require-trusted-types-for',
      blocked: 'trusted-types-sink',
      page: 'https://runnerly.example/runs',
    });
  });

  it('falls back to the violated directive, and bounds and cleans every field', () => {
    const violation = cspViolationFrom({
      'csp-report': { 'violated-directive': `script-src\u001b[31m${'x'.repeat(500)}`, 'blocked-uri': 42 },
    });

    expect(violation?.directive).toHaveLength(200);
    expect(violation?.directive).not.toContain('\u001b');
    expect(violation).toMatchObject({ blocked: '', page: '' });
  });

  it.each([
    ['null', null],
    ['a string', 'csp'],
    ['an empty report', { 'csp-report': {} }],
    ['another kind of report', [{ type: 'deprecation', body: { effectiveDirective: 'x' } }]],
    ['an empty array', []],
  ])('ignores %s', (_case, body) => {
    expect(cspViolationFrom(body)).toBeUndefined();
  });
});
