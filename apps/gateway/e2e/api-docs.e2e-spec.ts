import { TestKeys } from '@runnerly/security/testing';
import { GatewayTestApp } from './support/gateway-test-app';
import { StubUpstream } from './support/stub-upstream';

const operation = (summary: string) => ({ summary, responses: { 200: { description: 'ok' } } });

describe('the API docs at /docs, in development', () => {
  let gateway: GatewayTestApp;

  beforeAll(async () => {
    // The gateway reads the services' documents while it starts: the stubs must serve them first.
    const original = StubUpstream.start;
    const documents = [
      {
        openapi: '3.0.0',
        info: { title: 'users', version: '1' },
        paths: {
          '/auth/login': { post: operation('log in') },
          '/users/{id}/role': {
            patch: operation('change a role'),
            delete: operation('not routed by the gateway'),
          },
          '/oauth/token': { post: operation('internal: service tokens') },
          '/.well-known/jwks.json': { get: operation('keys') },
        },
        components: { schemas: { LoginDto: { type: 'object' } } },
      },
      {
        openapi: '3.0.0',
        info: { title: 'runs', version: '1' },
        paths: {
          '/runs': { get: operation('list runs') },
          '/internal/users/{userId}/runs': { delete: operation('internal: purge') },
        },
      },
    ];
    let started = 0;
    jest.spyOn(StubUpstream, 'start').mockImplementation(async () => {
      const stub = await original.call(StubUpstream);
      stub.openApiDocument = documents[started++];
      return stub;
    });
    gateway = await GatewayTestApp.start({ DOCS_ENABLED: 'true' }, TestKeys.generate());
  }, 60_000);

  afterAll(() => gateway?.close());

  it('documents the public routes, at their public paths', async () => {
    const document = (await (await gateway.fetch('/docs/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: object };
    };
    expect(Object.keys(document.paths).sort()).toEqual([
      '/.well-known/jwks.json',
      '/api/auth/login',
      '/api/runs',
      '/api/users/{id}/role',
    ]);
    expect(Object.keys(document.paths['/api/users/{id}/role']!)).toEqual(['patch']);
    expect(document.components.schemas).toHaveProperty('LoginDto');
  });

  it('never lists an internal route, nor a method the gateway does not serve', async () => {
    const text = await (await gateway.fetch('/docs/openapi.json')).text();
    expect(text).not.toMatch(/oauth\/token|\/internal\/|not routed by the gateway/);
  });

  it('serves Swagger UI with a CSP that lets it run, and only there', async () => {
    const ui = await gateway.fetch('/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
