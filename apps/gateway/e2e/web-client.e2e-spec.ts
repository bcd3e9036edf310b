import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_CSP } from '@runnerly/security';
import { GatewayTestApp } from './support/gateway-test-app';

/** A built web client in miniature: what the gateway needs of apps/web/dist. */
function webClientFolder(
  index = '<script type="module" nonce="__CSP_NONCE__" src="/assets/main.js"></script>',
) {
  const root = mkdtempSync(join(tmpdir(), 'runnerly-web-'));
  mkdirSync(join(root, 'assets/pages'), { recursive: true });
  writeFileSync(join(root, 'index.html'), index);
  writeFileSync(join(root, 'assets/main.js'), 'import "./pages/runs.js";');
  writeFileSync(join(root, 'assets/pages/runs.js'), 'export {};');
  writeFileSync(join(root, 'assets/app.css'), 'body {}');
  return root;
}

const nonceIn = (policy: string | null) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy ?? '')?.[1];

let root: string;
let gateway: GatewayTestApp;

beforeAll(async () => {
  root = webClientFolder();
  gateway = await GatewayTestApp.start({ WEB_CLIENT_ROOT: root });
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the pages of the web client', () => {
  it.each(['/', '/sign-in', '/sign-up', '/runs', '/sessions', '/verify-email', '/reset-password'])(
    'GET %s answers index.html whose one script carries the nonce of its CSP',
    async (path) => {
      const response = await gateway.fetch(path);
      const nonce = nonceIn(response.headers.get('content-security-policy'));

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(nonce).toBeDefined();
      expect(await response.text()).toBe(
        `<script type="module" nonce="${nonce}" src="/assets/main.js"></script>`,
      );
    },
  );

  it('gets a new nonce on every answer', async () => {
    const nonces = await Promise.all(
      [1, 2, 3].map(async () => nonceIn((await gateway.fetch('/')).headers.get('content-security-policy'))),
    );

    expect(new Set(nonces).size).toBe(3);
  });

  it('carries a strict CSP, a permissions policy and the other page headers', async () => {
    const response = await gateway.fetch('/runs');
    const policy = response.headers.get('content-security-policy')!;

    expect(policy).toContain("require-trusted-types-for 'script'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(response.headers.get('permissions-policy')).toContain('camera=()');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 404 at a path that is not a page', async () => {
    expect((await gateway.fetch('/admin')).status).toBe(404);
  });
});

describe('the assets of the web client', () => {
  it.each([
    ['/assets/main.js', 'text/javascript; charset=utf-8', 'import "./pages/runs.js";'],
    ['/assets/pages/runs.js', 'text/javascript; charset=utf-8', 'export {};'],
    ['/assets/app.css', 'text/css; charset=utf-8', 'body {}'],
  ])('GET %s answers the file as %s, revalidated on each load', async (path, type, body) => {
    const response = await gateway.fetch(path);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toBe(API_CSP);
    expect(await response.text()).toBe(body);
  });

  it.each([
    '/assets/missing.js',
    '/assets/',
    '/assets/pages',
    '/assets/../index.html',
    '/assets/%2e%2e/index.html',
  ])('answers 404 for %s: only the files read at boot are served', async (path) => {
    expect((await gateway.raw('GET', path)).status).toBe(404);
  });
});

describe('CSP violation reports', () => {
  beforeEach(() => gateway.logs.clear());
  const violations = () => gateway.logs.withMessage('CSP violation');

  it('logs a report-uri report as one warning, without its sample or query strings', async () => {
    const response = await gateway.fetch('/api/csp-reports', {
      method: 'POST',
      headers: { 'content-type': 'application/csp-report' },
      body: JSON.stringify({
        'csp-report': {
          'document-uri': 'http://localhost:3000/runs?x=1',
          'effective-directive': 'require-trusted-types-for',
          'blocked-uri': 'trusted-types-sink',
          sample: 'Element innerHTML|<img src=x onerror=alert(1)>',
        },
      }),
    });

    expect(response.status).toBe(204);
    expect(violations()).toEqual([
      expect.objectContaining({
        level: 'warn',
        csp: {
          directive: 'require-trusted-types-for',
          blocked: 'trusted-types-sink',
          page: 'http://localhost:3000/runs',
        },
      }),
    ]);
    expect(gateway.logs.text).not.toContain('onerror');
  });

  it('takes the Reporting API format too', async () => {
    await gateway.fetch('/api/csp-reports', {
      method: 'POST',
      headers: { 'content-type': 'application/reports+json' },
      body: JSON.stringify([
        { type: 'csp-violation', body: { effectiveDirective: 'script-src-elem', blockedURL: 'inline' } },
      ]),
    });

    expect(violations()).toEqual([
      expect.objectContaining({ csp: { directive: 'script-src-elem', blocked: 'inline', page: '' } }),
    ]);
  });

  it('ignores a body that is not a report, and refuses one that is too large to be one', async () => {
    const junk = await gateway.fetch('/api/csp-reports', { method: 'POST', json: { hello: 'world' } });
    const large = await gateway.fetch('/api/csp-reports', {
      method: 'POST',
      headers: { 'content-type': 'application/csp-report' },
      body: JSON.stringify({ 'csp-report': { sample: 'x'.repeat(20_000) } }),
    });

    expect(junk.status).toBe(204);
    expect(large.status).toBe(413);
    expect(violations()).toEqual([]);
  });
});

describe('a gateway without WEB_CLIENT_ROOT', () => {
  it('serves the API only: / and the report endpoint are 404', async () => {
    const apiOnly = await GatewayTestApp.start();
    try {
      expect((await apiOnly.fetch('/')).status).toBe(404);
      expect((await apiOnly.fetch('/api/csp-reports', { method: 'POST', json: {} })).status).toBe(404);
    } finally {
      await apiOnly.close();
    }
  });
});

describe('a web client folder the gateway refuses at boot', () => {
  it('has an index.html without the nonce placeholder: its script could never run', async () => {
    const broken = webClientFolder('<script type="module" src="/assets/main.js"></script>');
    try {
      await expect(GatewayTestApp.start({ WEB_CLIENT_ROOT: broken })).rejects.toThrow('has no __CSP_NONCE__');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('holds a file of a type the gateway would have to guess', async () => {
    const broken = webClientFolder();
    writeFileSync(join(broken, 'assets/notes.txt'), 'hello');
    try {
      await expect(GatewayTestApp.start({ WEB_CLIENT_ROOT: broken })).rejects.toThrow(
        'no content type known',
      );
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
