import { request as httpRequest } from 'node:http';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@runnerly/security';
import { JwksServer, LogCapture, TEST_ISSUER, TestKeys, TestTokens } from '@runnerly/security/testing';
import { createGateway } from '../../src/gateway.app';
import { GatewayConfig } from '../../src/gateway.config';
import { StubUpstream } from './stub-upstream';

/**
 * The gateway as main.ts builds it, listening on a random port of 127.0.0.1 (real HTTP, so client
 * addresses and forwarded headers are real), in front of two recording stub services.
 */
export class GatewayTestApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly users: StubUpstream,
    readonly runs: StubUpstream,
    readonly jwks: JwksServer,
    readonly tokens: TestTokens,
    readonly logs: LogCapture,
  ) {}

  static async start(env: Record<string, string> = {}, keys = TestKeys.generate()): Promise<GatewayTestApp> {
    const [users, runs, jwks] = await Promise.all([
      StubUpstream.start(),
      StubUpstream.start(),
      JwksServer.start(keys.ring.jwks()),
    ]);
    const logs = new LogCapture();
    let app: NestFastifyApplication;
    try {
      const config = loadConfig(GatewayConfig, {
        NODE_ENV: 'test',
        USERS_URL: users.url,
        RUNS_URL: runs.url,
        JWKS_URL: jwks.url,
        JWT_ISSUER: TEST_ISSUER,
        RATE_LIMIT_GENERAL_LIMIT: '100000',
        RATE_LIMIT_CREDENTIALS_IP_LIMIT: '100000',
        RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT: '1000',
        RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT: '100000',
        ...env,
      });
      app = await createGateway(config, { logDestination: logs });
      await app.listen({ port: 0, host: '127.0.0.1' });
    } catch (error) {
      // A configuration the gateway refuses (a test of what it refuses) leaves nothing running.
      await Promise.all([users.close(), runs.close(), jwks.close()]);
      throw error;
    }
    return new GatewayTestApp(
      app,
      await app.getUrl(),
      users,
      runs,
      jwks,
      new TestTokens(keys, { issuer: TEST_ISSUER }),
      logs,
    );
  }

  /** A request through the gateway over HTTP. */
  fetch(path: string, init: RequestInit & { token?: string; json?: unknown } = {}): Promise<Response> {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${this.url}${path}`, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  }

  /**
   * A request with the path sent byte for byte. (fetch normalises `..` and `%2e%2e` away before
   * sending, which would hide exactly the attacks a path test is about.)
   */
  raw(method: string, path: string): Promise<{ status: number; body: string }> {
    const { hostname, port } = new URL(this.url);
    return new Promise((resolve, reject) => {
      const request = httpRequest({ hostname, port, method, path }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
      request.on('error', reject);
      request.end();
    });
  }

  /** How many requests the stub services received in all. */
  get forwardedCount(): number {
    return this.users.requests.length + this.runs.requests.length;
  }

  reset(): void {
    this.users.reset();
    this.runs.reset();
  }

  async close(): Promise<void> {
    await this.app.close();
    await Promise.all([this.users.close(), this.runs.close(), this.jwks.close()]);
  }
}
