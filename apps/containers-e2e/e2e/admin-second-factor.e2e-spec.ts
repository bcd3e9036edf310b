import { Secret, TOTP } from 'otpauth';
import { execIn, GatewayClient, stackContainers } from '@runnerly/testing';
import { CONTAINERS_SUITE } from './support/containers-env';

const ADMIN_PASSWORD = 'correct horse battery staple for the boss';

/** What the admin's authenticator app shows, `stepsAhead` periods of 30 s from now. */
const codeOf = (secret: string, stepsAhead = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });

CONTAINERS_SUITE.describe(
  'the first admin of the compose stack (production mode)',
  ({ project, gatewayUrl, gatewayFetch }) => {
    it('is created by the CLI in the users container, and gets admin powers only once its session entered a second factor', async () => {
      const api = new GatewayClient(gatewayUrl, {}, gatewayFetch);
      const email = GatewayClient.nextEmail('boss');
      const users = (await stackContainers(project)).get('users')!;
      // The password on standard input, never on the command line, as the tutorial does it.
      const created = await execIn(
        users,
        [
          'sh',
          '-c',
          `printf '%s\\n' "$ADMIN_PASSWORD" | node apps/users/dist/cli.js create-admin --email ${email}`,
        ],
        { ADMIN_PASSWORD },
      );
      expect(created).toMatchObject({ exitCode: 0 });
      expect(created.stdout).toContain(`Created admin ${email}`);

      // The login may first wait out the minute of credentials requests other suites spent from this address.
      const admin = await api.logIn(email, ADMIN_PASSWORD);
      const refused = await api.call('GET', '/api/users', { token: admin.accessToken });
      expect(refused).toMatchObject({ status: 403, body: { code: 'AUTH.SECOND_FACTOR_REQUIRED' } });

      const { secret } = (
        await api.call<{ secret: string }>('POST', '/api/users/me/mfa/totp', {
          token: admin.accessToken,
          json: {},
        })
      ).body;
      const confirmed = await api.call('POST', '/api/users/me/mfa/totp/confirm', {
        token: admin.accessToken,
        json: { code: codeOf(secret) },
      });
      expect(confirmed.status).toBe(200);
      const stepped = await api.call<{ accessToken: string }>('POST', '/api/users/me/reauthenticate', {
        token: admin.accessToken,
        json: { password: ADMIN_PASSWORD, code: codeOf(secret, 1) },
      });
      expect(stepped.status).toBe(200);
      expect((await api.call('GET', '/api/users', { token: stepped.body.accessToken })).status).toBe(200);
    }, 120_000);
  },
);
