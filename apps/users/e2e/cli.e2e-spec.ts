import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Secret, TOTP } from 'otpauth';
import { type CliIo, runUsersCli } from '../src/cli/users-cli';
import { secretHashOf } from '../src/oauth/service-clients';
import { TEST_DATA_KEYS, UsersTestApp } from './support/users-test-app';

let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

function cli(stdin = ''): CliIo & { output: string[]; errors: string[] } {
  const output: string[] = [];
  const errors: string[] = [];
  return {
    env: {
      NODE_ENV: 'test',
      DATABASE_URL: users.db.url,
      JWT_PRIVATE_KEY: users.keys.activePrivateKeyPem,
      DATABASE_MIGRATE_ON_START: 'false',
      DATA_ENCRYPTION_KEYS: TEST_DATA_KEYS,
    },
    readStdin: () => stdin,
    out: (line) => output.push(line),
    err: (line) => errors.push(line),
    output,
    errors,
  };
}

describe('users-cli create-admin', () => {
  it('creates an admin whose password comes from a file', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'cli-')), 'password');
    await writeFile(file, 'operator chosen passphrase 77\n', { mode: 0o600 });
    const io = cli();

    expect(
      await runUsersCli(['create-admin', '--email', 'Ops@Example.com', '--password-file', file], io),
    ).toBe(0);
    expect(io.output.join('\n')).toContain('Created admin ops@example.com');
    const admin = await users.login({
      id: '',
      email: 'ops@example.com',
      password: 'operator chosen passphrase 77',
    });
    expect((jwt.decode(admin.accessToken) as { role: string }).role).toBe('admin');
  }, 30_000);

  it('reads the password from standard input when no file is given', async () => {
    const io = cli('stdin passphrase for admin 2\n');
    expect(await runUsersCli(['create-admin', '--email', 'ops2@example.com'], io)).toBe(0);
    expect(
      (
        await users.post('/auth/login', {
          email: 'ops2@example.com',
          password: 'stdin passphrase for admin 2',
        })
      ).statusCode,
    ).toBe(200);
  }, 30_000);

  it('stores the email in the one spelling that logins normalise to', async () => {
    const io = cli('stdin passphrase for admin 3\n');
    expect(await runUsersCli(['create-admin', '--email', ' Ops3\u200b@ＥXAMPLE.com '], io)).toBe(0);
    expect(io.output.join('\n')).toContain('Created admin ops3@example.com');
    expect(
      (
        await users.post('/auth/login', {
          email: 'ops3@example.com',
          password: 'stdin passphrase for admin 3',
        })
      ).statusCode,
    ).toBe(200);
  }, 30_000);

  it.each([
    ['a common password', ['create-admin', '--email', 'weak@example.com'], 'password123', 1],
    ['no email', ['create-admin'], 'a fine passphrase here', 2],
    ['an unknown command', ['make-me-admin'], '', 2],
  ])('refuses %s', async (_case, argv, stdin, status) => {
    const io = cli(stdin);
    expect(await runUsersCli(argv, io)).toBe(status);
    expect(await users.db.query(`SELECT email FROM accounts WHERE email = 'weak@example.com'`)).toEqual([]);
  });

  it('runs beside the service in its container, whose metrics listener holds METRICS_PORT', async () => {
    const service = createServer();
    await new Promise<void>((listening) => service.listen(0, '127.0.0.1', listening));
    const { port } = service.address() as AddressInfo;
    const io = cli('passphrase beside the service 3\n');
    io.env = { ...io.env, METRICS_HOST: '127.0.0.1', METRICS_PORT: String(port) };
    try {
      const status = await runUsersCli(['create-admin', '--email', 'beside.the.service@example.com'], io);
      expect({ status, errors: io.errors }).toEqual({ status: 0, errors: [] });
    } finally {
      service.close();
    }
    expect(io.output.join('\n')).toContain('Created admin beside.the.service@example.com');
  }, 30_000);

  it('refuses an email that is already registered, promoting nobody', async () => {
    const user = await users.register();
    const io = cli('another fine passphrase 3');
    expect(await runUsersCli(['create-admin', '--email', user.email], io)).toBe(1);
    expect(io.errors.join()).toContain('already exists');
    expect(await users.db.query(`SELECT role FROM accounts WHERE id = $1`, [user.id])).toEqual([
      { role: 'user' },
    ]);
  }, 30_000);
});

describe('users-cli create-client', () => {
  it('prints a strong secret and the OAUTH_CLIENTS entry holding only its hash', async () => {
    const io = cli();
    expect(await runUsersCli(['create-client', '--id', 'reporting'], io)).toBe(0);
    const [secretBlock, entryBlock] = io.output;
    const secret = secretBlock!.split('\n')[1]!;
    const entry = JSON.parse(entryBlock!.split('\n')[1]!);

    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(entry).toEqual({
      clientId: 'reporting',
      secretHash: secretHashOf(secret),
      scopes: ['runs:purge'],
    });
  });
});

describe('users-cli end-sessions', () => {
  it('ends every session of the account, whatever the case of the email given', async () => {
    const user = await users.registerAndLogin();
    const otherDevice = await users.login(user);
    const io = cli();

    expect(await runUsersCli(['end-sessions', '--email', user.email.toUpperCase()], io)).toBe(0);

    expect(io.output).toEqual([
      `Ended 2 session(s) of ${user.email} (${user.id}); its refresh tokens are refused now.`,
      'Its access tokens are refused now by users; without a shared Redis, other services accept them until they expire.',
    ]);
    for (const session of [user, otherDevice]) {
      expect((await users.post('/auth/refresh', { refreshToken: session.refreshToken })).statusCode).toBe(
        401,
      );
      expect((await users.get('/users/me', session.accessToken)).statusCode).toBe(401);
    }
    expect(
      await users.db.query(`SELECT DISTINCT revoked_reason FROM sessions WHERE account_id = $1`, [user.id]),
    ).toEqual([{ revoked_reason: 'ended-by-admin' }]);
  }, 30_000);

  it('refuses an email no account has, and ends nothing', async () => {
    const io = cli();
    expect(await runUsersCli(['end-sessions', '--email', 'nobody@example.com'], io)).toBe(1);
    expect(io.errors).toEqual(['error: no account has the email nobody@example.com']);
  }, 30_000);
});

describe('users-cli reencrypt-secrets', () => {
  it('moves every TOTP secret to the key put first, so that the old key can go, and codes still work', async () => {
    const user = await users.registerAndLogin();
    const { secret } = (await users.post('/users/me/mfa/totp', {}, user.accessToken)).json<{
      secret: string;
    }>();
    const code = (stepsAhead: number) =>
      new TOTP({ secret: Secret.fromBase32(secret) }).generate({
        timestamp: Date.now() + stepsAhead * 30_000,
      });
    await users.post('/users/me/mfa/totp/confirm', { code: code(0) }, user.accessToken);
    const newKeys = `next-1:${randomBytes(32).toString('base64url')}`;
    const io = cli();
    io.env.DATA_ENCRYPTION_KEYS = `${newKeys},${TEST_DATA_KEYS}`;

    expect(await runUsersCli(['reencrypt-secrets'], io)).toBe(0);

    expect(io.output).toEqual([
      expect.stringMatching(/^Re-encrypted [1-9]\d* of [1-9]\d* stored secret\(s\) under the current key/),
    ]);
    expect(await users.db.query(`SELECT DISTINCT key_id FROM account_totp`)).toEqual([{ key_id: 'next-1' }]);
    const rotated = await UsersTestApp.startOn(users.db, { DATA_ENCRYPTION_KEYS: newKeys });
    try {
      const { loginToken } = (
        await rotated.post('/auth/login', { email: user.email, password: user.password })
      ).json<{ loginToken: string }>();
      expect(
        (await rotated.post('/auth/login/second-factor', { loginToken, code: code(1) })).statusCode,
      ).toBe(200);
    } finally {
      await rotated.app.close();
    }
  }, 60_000);
});
