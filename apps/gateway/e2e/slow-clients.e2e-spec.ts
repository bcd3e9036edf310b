import { loadConfig } from '@runnerly/security';
import { RawHttpClient } from '@runnerly/security/testing';
import { GatewayConfig } from '../src/gateway.config';
import { GatewayTestApp } from './support/gateway-test-app';

let gateway: GatewayTestApp;
let port: number;
const open = () => RawHttpClient.connect(port);

beforeAll(async () => {
  gateway = await GatewayTestApp.start({
    HTTP_REQUEST_TIMEOUT_MS: '1000',
    HTTP_HEADERS_TIMEOUT_MS: '500',
    HTTP_MAX_CONNECTIONS_PER_CLIENT: '5',
  });
  port = Number(new URL(gateway.url).port);
}, 60_000);

afterEach(() => gateway.reset());
afterAll(() => gateway?.close());

describe('the public edge against slow and greedy clients', () => {
  it('drops a slow upload with 408 before anything reaches a service', async () => {
    const client = await open();
    const body = JSON.stringify({
      title: 'slow',
      distanceMeters: 1,
      durationSeconds: 1,
      startedAt: new Date().toISOString(),
    });
    void client.send(
      [
        `POST /api/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gateway.tokens.user()}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        ...body.split(''),
      ],
      200,
    );
    const response = await client.closed;

    expect(response.status).toBe(408);
    expect(response.closedAfterMs).toBeLessThan(2_000);
    expect(gateway.forwardedCount).toBe(0);
  });

  it('holds at most the configured number of connections per client', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, open));
    const extra = await open();
    void extra.send(['GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n']);
    expect((await extra.closed).status).toBe(429);
    held.forEach((client) => client.close());
  });

  it('limits connections per client by default (100), unlike the internal services', () => {
    expect(loadConfig(GatewayConfig, {}).HTTP_MAX_CONNECTIONS_PER_CLIENT).toBe(100);
  });
});
