import { UsersTestApp } from './support/users-test-app';

// Its own file: the warning is logged at boot, and each file boots its own service.
let users: UsersTestApp;

beforeAll(async () => {
  users = await UsersTestApp.start();
}, 60_000);

afterAll(() => users?.close());

it('says at boot that SMTP_URL is not set, answers requests as always, and keeps them queued until it is', async () => {
  expect(
    users.logs.withMessage(
      'SMTP_URL is not set: verification and password-reset mails stay queued until it is',
    ),
  ).toHaveLength(1);
  const user = await users.register();

  const asked = await users.post('/auth/password-reset', { email: user.email });

  expect(asked.statusCode).toBe(202);
  const queued = await users.db.query(`SELECT purpose, email FROM email_link_requests ORDER BY requested_at`);
  expect(queued).toEqual([
    { purpose: 'verify-email', email: user.email },
    { purpose: 'reset-password', email: user.email },
  ]);
});
