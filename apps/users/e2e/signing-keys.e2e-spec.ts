import { createPublicKey } from 'node:crypto';
import { ConfigError, SigningKey } from '@runnerly/security';
import { generateRsaPrivateKeyPem } from '@runnerly/security/testing';
import { UsersTestApp } from './support/users-test-app';

// Its own file: the first app of a jest file receives the log lines of every app in it (nestjs-pino).
const retiredPem = createPublicKey(generateRsaPrivateKeyPem())
  .export({ type: 'spki', format: 'pem' })
  .toString();

describe('users with a retired signing key (JWT_RETIRED_PUBLIC_KEYS)', () => {
  let users: UsersTestApp;
  beforeAll(async () => {
    users = await UsersTestApp.start({ JWT_RETIRED_PUBLIC_KEYS: retiredPem });
  }, 60_000);
  afterAll(() => users?.close());

  it('publishes the retired key beside the active one', async () => {
    const jwks = (await users.get('/.well-known/jwks.json')).json<{ keys: { kid: string }[] }>();
    expect(jwks.keys.map((key) => key.kid).sort()).toEqual(
      [users.keys.active.kid, SigningKey.fromPublicKey(retiredPem).kid].sort(),
    );
  });

  it('logs the keys by id, never as key material', () => {
    expect(users.logs.withMessage('Signing keys loaded')[0]).toMatchObject({
      activeKid: users.keys.active.kid,
      retiredKids: [SigningKey.fromPublicKey(retiredPem).kid],
    });
    const [configuration] = users.logs.withMessage('Configuration loaded');
    expect(configuration).toMatchObject({
      config: { JWT_RETIRED_PUBLIC_KEYS: expect.stringMatching(/^\[PUBLIC KEY REDACTED\]\s*$/) },
    });
    expect(users.logs.text).not.toContain(retiredPem.split('\n')[1]);
    expect(users.logs.text).not.toContain('BEGIN');
  });
});

describe('users refuses to start', () => {
  const pkcs1 = () =>
    createPublicKey(generateRsaPrivateKeyPem()).export({ type: 'pkcs1', format: 'pem' }).toString();

  it.each([
    [
      'a private key',
      () => generateRsaPrivateKeyPem(),
      'only "BEGIN PUBLIC KEY" blocks are accepted, found "BEGIN PRIVATE KEY"',
    ],
    [
      'an RSA (PKCS#1) public key',
      pkcs1,
      'only "BEGIN PUBLIC KEY" blocks are accepted, found "BEGIN RSA PUBLIC KEY"',
    ],
    ['no key at all', () => 'the old key, see the wiki', 'holds no PEM block'],
  ])('when JWT_RETIRED_PUBLIC_KEYS holds %s, naming the problem', async (_case, value, problem) => {
    const start = UsersTestApp.start({ JWT_RETIRED_PUBLIC_KEYS: value() });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(`JWT_RETIRED_PUBLIC_KEYS: ${problem}`);
  });
});
