import { randomBytes, randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@runnerly/security';
import {
  bearer,
  initTestApp,
  LogCapture,
  TEST_ISSUER,
  TestKeys,
  TestTokens,
} from '@runnerly/security/testing';
import { createTestDatabase, type TestDatabase } from '@runnerly/testing';
import { type LightMyRequestResponse } from 'fastify';
import { UsersConfig } from '../../src/users.config';
import { createUsersApp } from '../../src/users.app';

export const PASSWORD = 'correct horse battery staple';

/** An argon2id hash with the OWASP parameters (argon2 writes them in the order m, p, t). */
export const OWASP_ARGON2ID_HASH = /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/;

export interface RegisteredUser {
  id: string;
  email: string;
  password: string;
}

export interface LoggedInUser extends RegisteredUser {
  accessToken: string;
  refreshToken: string;
}

/** A user with two-factor on: the secret their authenticator app holds, and their recovery codes. */
export interface EnrolledUser extends LoggedInUser {
  secret: string;
  recoveryCodes: string[];
}

/** What the user's authenticator app shows, `stepsAhead` periods of 30 s from now. */
export const totpCode = (secret: string, stepsAhead = 0): string =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });

/**
 * The `users` service booted in-process exactly as main.ts boots it (createUsersApp), on its own
 * fresh PostgreSQL database with a least-privilege role, with its logs captured.
 */
/** One data key for every users app of a test run (a restarted app must read what an earlier one sealed). */
export const TEST_DATA_KEYS = `test-1:${randomBytes(32).toString('base64url')}`;

export class UsersTestApp {
  private emails = 0;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly db: TestDatabase,
    readonly logs: LogCapture,
    readonly keys: TestKeys,
    readonly tokens: TestTokens,
  ) {}

  /** A fresh database and the service on it. */
  static async start(env: Record<string, string> = {}): Promise<UsersTestApp> {
    const db = await createTestDatabase('users');
    try {
      return await UsersTestApp.startOn(db, env);
    } catch (error) {
      await db.drop();
      throw error;
    }
  }

  /** The service on an existing database: a restart, or a second replica. */
  static async startOn(db: TestDatabase, env: Record<string, string> = {}): Promise<UsersTestApp> {
    const keys = TestKeys.generate();
    const logs = new LogCapture();
    const config = loadConfig(UsersConfig, {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      JWT_PRIVATE_KEY: keys.activePrivateKeyPem,
      DATA_ENCRYPTION_KEYS: TEST_DATA_KEYS,
      JWT_ISSUER: TEST_ISSUER,
      PASSWORD_HASH_CONCURRENCY: '2',
      // Every request of a test file comes from one client: limits high enough never to interfere,
      // except in the rate-limiting specs, which set their own.
      RATE_LIMIT_GENERAL_LIMIT: '100000',
      RATE_LIMIT_CREDENTIALS_IP_LIMIT: '100000',
      RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT: '1000',
      RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT: '100000',
      // Each app gets its own counters in a Redis shared by the whole test run.
      RATE_LIMIT_KEY_PREFIX: `test:${db.url.split('/').at(-1)}:${randomUUID().slice(0, 8)}:`,
      ...env,
    });
    const app = await initTestApp(await createUsersApp(config, { logDestination: logs }));
    return new UsersTestApp(app, db, logs, keys, new TestTokens(keys, { issuer: TEST_ISSUER }));
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.db.drop();
  }

  post(
    url: string,
    payload: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: { ...(token ? bearer(token) : {}), ...headers },
    });
  }

  get(url: string, token?: string): Promise<LightMyRequestResponse> {
    return this.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });
  }

  patch(url: string, payload: unknown, token?: string): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'PATCH',
      url,
      payload: payload as object,
      headers: token ? bearer(token) : {},
    });
  }

  delete(url: string, token?: string): Promise<LightMyRequestResponse> {
    return this.app.inject({ method: 'DELETE', url, headers: token ? bearer(token) : {} });
  }

  /** A unique email per call, so tests in one file never collide. */
  nextEmail(name = 'runner'): string {
    return `${name}.${++this.emails}.${Date.now()}@example.com`;
  }

  async register(email = this.nextEmail(), password = PASSWORD): Promise<RegisteredUser> {
    const response = await this.post('/auth/register', { email, password, displayName: 'Test Runner' });
    if (response.statusCode !== 201)
      throw new Error(`register failed: ${response.statusCode} ${response.body}`);
    return { id: response.json<{ id: string }>().id, email, password };
  }

  async login(user: RegisteredUser): Promise<LoggedInUser> {
    const response = await this.post('/auth/login', { email: user.email, password: user.password });
    if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
    const { accessToken, refreshToken } = response.json<{ accessToken: string; refreshToken: string }>();
    return { ...user, accessToken, refreshToken };
  }

  async registerAndLogin(): Promise<LoggedInUser> {
    return this.login(await this.register());
  }

  /** An admin account, promoted directly in the database (the first-admin paths have their own specs). */
  async admin(): Promise<LoggedInUser> {
    const user = await this.register(this.nextEmail('admin'));
    await this.db.query(`UPDATE accounts SET role = 'admin' WHERE id = $1`, [user.id]);
    return this.login(user);
  }

  /**
   * The user entered their password an hour ago: the session's authentication time moved back in the database,
   * then a refresh, as any long-lived client does, gives an access token carrying it (step-up tests).
   */
  async anHourAfterLogin<User extends LoggedInUser>(user: User): Promise<User> {
    const { sid } = JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString()) as {
      sid: string;
    };
    await this.db.query(`UPDATE sessions SET authenticated_at = now() - interval '1 hour' WHERE id = $1`, [
      sid,
    ]);
    const refreshed = await this.post('/auth/refresh', { refreshToken: user.refreshToken });
    return { ...user, ...refreshed.json<{ accessToken: string; refreshToken: string }>() };
  }

  /**
   * Turns two-factor on for a freshly logged-in user, confirmed with the code of the current period: the app's
   * next code (`totpCode(secret, 1)`) is then the first one the service accepts.
   */
  async turnOnSecondFactor<User extends LoggedInUser>(user: User): Promise<User & EnrolledUser> {
    const started = await this.post('/users/me/mfa/totp', {}, user.accessToken);
    if (started.statusCode !== 201)
      throw new Error(`enrolment failed: ${started.statusCode} ${started.body}`);
    const { secret } = started.json<{ secret: string }>();
    const confirmed = await this.post(
      '/users/me/mfa/totp/confirm',
      { code: totpCode(secret) },
      user.accessToken,
    );
    if (confirmed.statusCode !== 200)
      throw new Error(`confirmation failed: ${confirmed.statusCode} ${confirmed.body}`);
    return { ...user, secret, recoveryCodes: confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes };
  }
}
