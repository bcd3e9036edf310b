import { UsersTestApp } from './support/users-test-app';

const ADMIN_EMAIL = 'first.admin@example.com';
const ADMIN_PASSWORD = 'first admin passphrase 2026';

it('creates the first admin from BOOTSTRAP_ADMIN_* once, and never a second time', async () => {
  const users = await UsersTestApp.start({
    BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  try {
    const admin = await users.login({ id: '', email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect((await users.get('/users', admin.accessToken)).statusCode).toBe(200);
    expect(await users.db.query(`SELECT email, role FROM accounts`)).toEqual([
      { email: ADMIN_EMAIL, role: 'admin' },
    ]);
  } finally {
    await users.close();
  }
}, 60_000);

it('creates the first admin under the normalised spelling of BOOTSTRAP_ADMIN_EMAIL, which logins use', async () => {
  const users = await UsersTestApp.start({
    BOOTSTRAP_ADMIN_EMAIL: ` ${ADMIN_EMAIL.toUpperCase()}\u200b`,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  try {
    expect(await users.db.query(`SELECT email FROM accounts`)).toEqual([{ email: ADMIN_EMAIL }]);
    await users.login({ id: '', email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  } finally {
    await users.close();
  }
}, 60_000);

it('does not promote an account that already uses the bootstrap email', async () => {
  const users = await UsersTestApp.start();
  try {
    const squatter = await users.register(ADMIN_EMAIL, 'squatters own passphrase 1');
    const restarted = await UsersTestApp.startOn(users.db, {
      BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    try {
      expect(await users.db.query(`SELECT role FROM accounts WHERE id = $1`, [squatter.id])).toEqual([
        { role: 'user' },
      ]);
      expect(
        await users.db.query(`SELECT count(*)::int AS admins FROM accounts WHERE role = 'admin'`),
      ).toEqual([{ admins: 0 }]);
    } finally {
      await restarted.app.close();
    }
  } finally {
    await users.close();
  }
}, 60_000);

it('creates no admin without the bootstrap settings: there is no default admin', async () => {
  const users = await UsersTestApp.start();
  try {
    expect(await users.db.query(`SELECT count(*)::int AS admins FROM accounts WHERE role = 'admin'`)).toEqual(
      [{ admins: 0 }],
    );
  } finally {
    await users.close();
  }
}, 60_000);
