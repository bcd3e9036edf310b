import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CaughtMail } from '@runnerly/dev-infra';
import {
  execIn,
  GatewayClient,
  linkIn,
  type ReceivedMail,
  type StackContainer,
  stackContainers,
} from '@runnerly/testing';
import { CONTAINERS_SUITE } from './support/containers-env';

const RESET_SUBJECT = 'Reset your Runnerly password';
/** users sends from its outbox right after it answers, or at its next poll (5 s) if the catcher was busy. */
const MAIL_TIMEOUT_MS = 20_000;
/** A test may wait out the credentials limit once (see postCredentials), then its mail. */
const TEST_TIMEOUT_MS = 120_000;

/** An answer of the gateway: its status, its JSON body, and how long to wait when it is a 429. */
interface Answer {
  status: number;
  body: unknown;
  retryAfterSeconds: number;
}

CONTAINERS_SUITE.describe(
  'password reset mails in the compose stack',
  ({ project, gatewayUrl, gatewayCa }) => {
    let mail: StackContainer;
    /** What docker-compose.yml gives users, from PUBLIC_ORIGIN or its default. */
    let publicOrigin: string;

    beforeAll(async () => {
      const containers = await stackContainers(project);
      mail = containers.get('mail')!;
      const users = containers.get('users')!.inspect.Config.Env ?? [];
      publicOrigin = users
        .find((entry) => entry.startsWith('PUBLIC_ORIGIN='))!
        .slice('PUBLIC_ORIGIN='.length);
    });

    /** A new account (no login: a reset needs no token). */
    async function register(name: string): Promise<string> {
      const email = GatewayClient.nextEmail(name);
      const registered = await postCredentials(gatewayCa, `${gatewayUrl}/api/auth/register`, {
        email,
        password: 'a good long passphrase 1',
        displayName: name,
      });
      expect(registered.status).toBe(201);
      return email;
    }

    /**
     * The mails to `address` that the catcher holds, read inside its container: it serves them on its own
     * loopback only, as the reset links in them are as good as a password.
     */
    async function mailsTo(address: string): Promise<CaughtMail[]> {
      const script =
        "fetch('http://127.0.0.1:8025/mails?to=' + encodeURIComponent(process.argv[1]))" +
        '.then((response) => response.text()).then((text) => process.stdout.write(text))';
      const result = await execIn(mail, ['node', '-e', script, address]);
      if (result.exitCode !== 0) throw new Error(`Reading the caught mails failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as CaughtMail[];
    }

    /** The reset mail to `address`, once it has arrived. */
    async function resetMailTo(address: string): Promise<ReceivedMail> {
      const deadline = Date.now() + MAIL_TIMEOUT_MS;
      for (;;) {
        const found = (await mailsTo(address)).find((caught) => caught.subject === RESET_SUBJECT);
        if (found) return { ...found, to: found.to.join(', ') };
        if (Date.now() > deadline)
          throw new Error(`No reset mail to ${address} within ${MAIL_TIMEOUT_MS} ms`);
        await sleep(250);
      }
    }

    it(
      'answers alike whether the address has an account, and mails the account a reset link on PUBLIC_ORIGIN',
      async () => {
        const ada = await register('ada');
        const nobody = GatewayClient.nextEmail('nobody');
        const resetUrl = `${gatewayUrl}/api/auth/password-reset`;

        const unknown = await postCredentials(gatewayCa, resetUrl, { email: nobody });
        const known = await postCredentials(gatewayCa, resetUrl, { email: ada });

        for (const answer of [known, unknown]) {
          expect({ status: answer.status, body: answer.body }).toEqual({
            status: 202,
            body: { accepted: true },
          });
        }
        const { url, token } = linkIn(await resetMailTo(ada), '/reset-password');
        expect(url.href).toBe(`${publicOrigin}/reset-password#token=${token}`);
        expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
        // Asked for before ada's, which has arrived: a mail to nobody would have too.
        expect(await mailsTo(nobody)).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'keeps the link on PUBLIC_ORIGIN when the request names another host (Host, X-Forwarded-Host)',
      async () => {
        const bob = await register('bob');

        // An attacker asks for the victim's reset naming their own site: a link built from the request would
        // take the victim's token there.
        const asked = await postCredentials(
          gatewayCa,
          `${gatewayUrl}/api/auth/password-reset`,
          { email: bob },
          { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
        );

        expect(asked.status).toBe(202);
        const reset = await resetMailTo(bob);
        expect(linkIn(reset, '/reset-password').url.origin).toBe(publicOrigin);
        expect(reset.text).not.toContain('evil.example');
      },
      TEST_TIMEOUT_MS,
    );
  },
);

/**
 * postJson, sent once more after Retry-After when the answer is 429: the suites of this stack share one client
 * address and its 20 credentials requests a minute, which public-api.e2e-spec.ts spends on purpose.
 */
async function postCredentials(
  ca: string | undefined,
  url: string,
  json: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const answer = await postJson(ca, url, json, headers);
  if (answer.status !== 429) return answer;
  await sleep(answer.retryAfterSeconds * 1_000);
  return postJson(ca, url, json, headers);
}

/**
 * A POST of JSON through node:http(s), which sends the Host header it is given (fetch sends the URL's); over
 * HTTPS trusting `ca`, and checking the certificate against the URL's host, not that header.
 */
function postJson(
  ca: string | undefined,
  url: string,
  json: unknown,
  headers: Record<string, string>,
): Promise<Answer> {
  const body = JSON.stringify(json);
  const send = url.startsWith('https:') ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const sent = send(
      url,
      {
        ca,
        // Node would check the certificate against the Host header given; the URL's host is who answers.
        checkServerIdentity: (_host, certificate) => checkServerIdentity(new URL(url).hostname, certificate),
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: text === '' ? undefined : JSON.parse(text),
            retryAfterSeconds: Number(response.headers['retry-after'] ?? 60),
          }),
        );
      },
    );
    sent.on('error', reject).end(body);
  });
}
