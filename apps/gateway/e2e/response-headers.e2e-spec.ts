import { SECURITY_HEADERS } from '@runnerly/security';
import { RawHttpClient } from '@runnerly/security/testing';
import { GatewayTestApp } from './support/gateway-test-app';

let gateway: GatewayTestApp;
let port: number;

beforeAll(async () => {
  gateway = await GatewayTestApp.start({
    UPSTREAM_TIMEOUT_MS: '500',
    RATE_LIMIT_CREDENTIALS_IP_LIMIT: '2',
    BODY_LIMIT_BYTES: '1024',
    HTTP_HEADERS_TIMEOUT_MS: '600',
  });
  port = Number(new URL(gateway.url).port);
}, 60_000);

afterEach(() => gateway.reset());
afterAll(() => gateway?.close());

type Answer = { status: number; header: (name: string) => string | null | undefined };
const viaFetch = async (path: string, init: Parameters<GatewayTestApp['fetch']>[1] = {}): Promise<Answer> => {
  const response = await gateway.fetch(path, init);
  await response.arrayBuffer();
  return { status: response.status, header: (name) => response.headers.get(name) };
};
const viaSocket = async (chunks: string[], gapMs = 0): Promise<Answer> => {
  const client = await RawHttpClient.connect(port);
  void client.send(chunks, gapMs);
  const response = await client.closed;
  return { status: response.status, header: (name) => response.headers[name] };
};
const HEAD = 'GET /api/runs HTTP/1.1\r\nHost: localhost\r\n';

/** Every kind of answer the gateway gives, however it is produced. */
const ANSWERS: [string, number, () => Promise<Answer>][] = [
  ['a proxied success', 200, () => viaFetch('/api/runs', { token: gateway.tokens.user() })],
  [
    "a service's own error, passed through",
    500,
    async () => {
      gateway.runs.handler = (_request, response) =>
        void response.writeHead(500, { 'content-type': 'application/json' }).end('{"statusCode":500}');
      return viaFetch('/api/runs', { token: gateway.tokens.user() });
    },
  ],
  ['401 without a token', 401, () => viaFetch('/api/runs')],
  ['403 on an admin route', 403, () => viaFetch('/api/users', { token: gateway.tokens.user() })],
  ['404 for an unknown route', 404, () => viaFetch('/api/nowhere')],
  [
    '404 for an ambiguous path',
    404,
    () => viaSocket(['GET /api/runs/..%2finternal HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']),
  ],
  ['405 for an unexpected method', 405, () => viaFetch('/api/runs', { method: 'PROPFIND' })],
  [
    '400 for a malformed URL, before routing',
    400,
    () => viaSocket(['GET /api/runs/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']),
  ],
  [
    '414 for an over-long path parameter, before routing',
    414,
    () => viaFetch(`/api/runs/${'a'.repeat(300)}`),
  ],
  [
    '413 for a body over the limit',
    413,
    () => viaFetch('/api/auth/logout', { method: 'POST', json: { refreshToken: 'x'.repeat(2048) } }),
  ],
  [
    '415 for a form body',
    415,
    () =>
      viaFetch('/api/auth/logout', {
        method: 'POST',
        body: 'a=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
  ],
  [
    '429 over a rate limit',
    429,
    async () => {
      for (let i = 0; i < 2; i++)
        await viaFetch('/api/auth/login', { method: 'POST', json: { email: 'a@b.test', password: 'x' } });
      return viaFetch('/api/auth/login', { method: 'POST', json: { email: 'a@b.test', password: 'x' } });
    },
  ],
  [
    '502 when a service is unreachable',
    502,
    async () => {
      gateway.runs.handler = (_request, response) => void response.socket?.destroy();
      return viaFetch('/api/runs', { token: gateway.tokens.user() });
    },
  ],
  [
    '504 when a service is too slow',
    504,
    async () => {
      gateway.runs.handler = () => undefined;
      return viaFetch('/api/runs', { token: gateway.tokens.user() });
    },
  ],
  [
    '408 for a client too slow to send its headers',
    408,
    () => viaSocket([HEAD, ...Array.from({ length: 30 }, () => 'X-Slow: 1\r\n')], 100),
  ],
  [
    '431 for headers over the size limit',
    431,
    () => viaSocket([`${HEAD}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`]),
  ],
  ['400 for a request the HTTP parser refuses', 400, () => viaSocket(['NOT HTTP AT ALL\r\n\r\n'])],
];

describe('every answer of the gateway', () => {
  it.each(ANSWERS)('carries the security headers: %s', async (_case, status, answer) => {
    const response = await answer();

    expect(response.status).toBe(status);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.header(name)).toBe(value);
    expect(response.header('content-security-policy')).toContain("default-src 'none'");
    expect(response.header('cache-control')).toBeTruthy();
    expect(response.header('x-request-id')).toBeTruthy();
    expect(response.header('x-powered-by')).toBeFalsy();
  });
});
