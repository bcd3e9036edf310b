import { ErrorCode } from '@runnerly/security';
import { describeWithRedis } from '@runnerly/testing';
import { secretHashOf } from '../src/oauth/service-clients';
import { UsersTestApp } from './support/users-test-app';

const SLOWDOWN_MS = 600;
const CLIENT_SECRET = 'a-long-random-client-secret-for-the-tests-0123456789';

/** Small limits, so that the tests reach them quickly. */
const LIMITS = {
  RATE_LIMIT_CREDENTIALS_IP_LIMIT: '12',
  RATE_LIMIT_FAILED_CREDENTIALS_PER_CLIENT_LIMIT: '3',
  RATE_LIMIT_FAILED_CREDENTIALS_PER_ACCOUNT_LIMIT: '6',
  RATE_LIMIT_FAILED_CREDENTIALS_SLOWDOWN_MS: String(SLOWDOWN_MS),
  TRUST_PROXY_HOPS: '1',
  OAUTH_CLIENTS: JSON.stringify([
    { clientId: 'reports', secretHash: secretHashOf(CLIENT_SECRET), scopes: ['runs:purge'] },
  ]),
};

function loginThrottlingSpecs(users: () => UsersTestApp): void {
  let nextClient = 1;
  /** A client address of its own for each test, so that the per-IP limit never mixes tests up. */
  const newClient = () => `198.51.100.${nextClient++}`;
  const loginFrom = (ip: string, email: string, password = 'a wrong password guess') =>
    users().post('/auth/login', { email, password }, undefined, { 'x-forwarded-for': ip });

  it('lets the owner log in while an attacker keeps failing on the account from elsewhere (no lockout by anyone)', async () => {
    const owner = await users().register();
    const attacker = newClient();
    for (let attempt = 0; attempt < 11; attempt++) await loginFrom(attacker, owner.email);

    const response = await loginFrom(newClient(), owner.email, owner.password);
    expect(response.statusCode).toBe(200);
  });

  it('does not count sign-ups, or logins refused by validation, against the account', async () => {
    const owner = await users().register();
    const client = newClient();
    for (let attempt = 0; attempt < 5; attempt++) {
      const signUp = await users().post(
        '/auth/register',
        { email: owner.email, password: 'x', displayName: 'Mallory' },
        undefined,
        { 'x-forwarded-for': client },
      );
      expect(signUp.statusCode).toBe(400);
      const invalid = await users().post('/auth/login', { email: owner.email }, undefined, {
        'x-forwarded-for': client,
      });
      expect(invalid.statusCode).toBe(400);
    }
    expect((await loginFrom(client, owner.email, owner.password)).statusCode).toBe(200);
  });

  it('blocks a client after its failed logins on one account, with Retry-After, even for the right password (no oracle)', async () => {
    const owner = await users().register();
    const client = newClient();
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++)
      statuses.push((await loginFrom(client, owner.email)).statusCode);
    expect(statuses).toEqual([401, 401, 401]);

    const blocked = await loginFrom(client, owner.email, owner.password);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(60);
    expect(blocked.json()).toMatchObject({
      statusCode: 429,
      code: ErrorCode.RateLimited,
      requestId: expect.any(String),
    });
  });

  it('counts an unknown email like a known one, so the 429 reveals nothing about which accounts exist', async () => {
    const client = newClient();
    const email = users().nextEmail('nobody');
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++) statuses.push((await loginFrom(client, email)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('stops one client after the per-IP limit, however many accounts it tries (credential stuffing)', async () => {
    const client = newClient();
    for (let attempt = 0; attempt < 12; attempt++) {
      expect((await loginFrom(client, users().nextEmail('stuffing'))).statusCode).toBe(401);
    }
    expect((await loginFrom(client, users().nextEmail('stuffing'))).statusCode).toBe(429);
    expect((await loginFrom(newClient(), users().nextEmail('stuffing'))).statusCode).toBe(401);
  });

  it('slows down every login to an account guessed from many addresses, and still lets the owner in', async () => {
    const owner = await users().register();
    for (let attempt = 0; attempt < 6; attempt++) await loginFrom(newClient(), owner.email);

    const started = Date.now();
    expect((await loginFrom(newClient(), owner.email, owner.password)).statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOWDOWN_MS);
  });

  it('throttles wrong current passwords on a password change, per account and client', async () => {
    const user = await users().registerAndLogin();
    const client = newClient();
    const change = (currentPassword: string) =>
      users().post(
        '/users/me/password',
        { currentPassword, newPassword: 'a brand new passphrase 7' },
        user.accessToken,
        { 'x-forwarded-for': client },
      );
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await change('not my password')).statusCode);
    expect(statuses).toEqual([401, 401, 401]);
    expect((await change(user.password)).statusCode).toBe(429);
  });

  it('throttles wrong passwords at a reauthentication, per account and client: a stolen access token cannot guess the password', async () => {
    const user = await users().registerAndLogin();
    const client = newClient();
    const reauthenticate = (password: string) =>
      users().post('/users/me/reauthenticate', { password }, user.accessToken, { 'x-forwarded-for': client });
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++)
      statuses.push((await reauthenticate('a wrong guess')).statusCode);
    expect(statuses).toEqual([401, 401, 401]);
    expect((await reauthenticate(user.password)).statusCode).toBe(429);
  });

  it('throttles failed client secrets on the token dealer, per client id and caller', async () => {
    const caller = newClient();
    const token = (secret: string) =>
      users().post(
        '/oauth/token',
        { grant_type: 'client_credentials', client_id: 'reports', client_secret: secret },
        undefined,
        { 'x-forwarded-for': caller },
      );
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await token(`wrong-${attempt}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401]);
    expect((await token(CLIENT_SECRET)).statusCode).toBe(429);
  });
}

describe('login throttling with in-memory counters', () => {
  let users: UsersTestApp;
  beforeAll(async () => {
    users = await UsersTestApp.start(LIMITS);
  }, 60_000);
  afterAll(() => users?.close());

  loginThrottlingSpecs(() => users);
});

describeWithRedis('login throttling with counters in Redis', (redisUrl) => {
  let users: UsersTestApp;
  beforeAll(async () => {
    users = await UsersTestApp.start({ ...LIMITS, REDIS_URL: redisUrl() });
  }, 60_000);
  afterAll(() => users?.close());

  loginThrottlingSpecs(() => users);
});
