// oidc-provider ships no types: the declaration must come along into every project that compiles this file
// (users, stack-e2e), which an import of a .d.ts cannot do.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./oidc-provider.d.ts" />
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/** The claims the provider vouches for, per login name typed into its sign-in form. */
export interface TestIdentityClaims {
  email?: string;
  email_verified?: unknown;
  name?: string;
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** Changes the claims of the ID tokens the provider issues, which it then signs again with its own key. */
export type IdTokenForgery = (claims: Record<string, unknown>) => Record<string, unknown>;

interface Backend {
  server: Server;
  url: string;
  key: KeyObject;
  kid: string;
}

/**
 * A real OpenID provider (oidc-provider, a certified implementation) on 127.0.0.1, for the tests: discovery,
 * keys, authorization with PKCE, tokens, and its development sign-in page (any login name, any password; the
 * login name becomes the subject, with the claims given to `identity`). Consent is implied (a first-party
 * client), so a sign-in is the login form alone.
 *
 * It answers through a front of its own, which the tests turn into an attacker: `forgeIdTokens` rewrites the
 * ID tokens of the token endpoint's answers and signs them again with the provider's own key (so that only the
 * claim checks can catch them), and `impersonate` puts an impostor behind the same address: another provider,
 * with another issuer and keys, until `stopImpersonating`.
 */
export class TestOpenIdProvider {
  private forgery?: IdTokenForgery;
  private impostorActive = false;
  private holding = false;

  private constructor(
    private readonly front: Server,
    readonly issuer: string,
    private readonly genuine: Backend,
    private readonly impostor: Backend,
    private readonly claims: Map<string, TestIdentityClaims>,
    private readonly client: TestClient,
  ) {}

  /**
   * Starts on a free port of 127.0.0.1. `claimedIssuer` makes its discovery document name another issuer than
   * its own address (a relying party must refuse it).
   */
  static async start(
    client: TestClient,
    options: { claimedIssuer?: string } = {},
  ): Promise<TestOpenIdProvider> {
    let handle: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
    const front = createServer((request, response) => handle(request, response));
    const issuer = `http://127.0.0.1:${await listen(front)}`;
    const claims = new Map<string, TestIdentityClaims>();
    const genuine = await backend(options.claimedIssuer ?? issuer, client, claims);
    const impostor = await backend(`${issuer}/impostor`, client, claims);
    const provider = new TestOpenIdProvider(front, issuer, genuine, impostor, claims, client);
    handle = (request, response) => {
      provider.relay(request, response).catch((error: Error) => {
        response.statusCode = 502;
        response.end(error.message);
      });
    };
    return provider;
  }

  /** A new identity at the provider: its login name (the subject), with these claims. */
  identity(claims: TestIdentityClaims): string {
    const login = `user-${randomBytes(6).toString('hex')}`;
    this.claims.set(login, claims);
    return login;
  }

  /** Changes the claims this identity is given from now on (its email changed at the provider, say). */
  updateIdentity(login: string, claims: TestIdentityClaims): void {
    this.claims.set(login, claims);
  }

  forgeIdTokens(forgery: IdTokenForgery | undefined): void {
    this.forgery = forgery;
  }

  /**
   * Stops a browser before the redirect back to the client: the provider answers a page with a link
   * (`#callback`) instead, so a test can read the callback URL, change it, or use it twice.
   */
  holdRedirectsBack(hold: boolean): void {
    this.holding = hold;
  }

  impersonate(): void {
    this.impostorActive = true;
  }

  stopImpersonating(): void {
    this.impostorActive = false;
  }

  /**
   * Signs `login` in at the provider over plain HTTP (a browser's steps: the authorization URL, the sign-in
   * form, the redirect back) and answers the query string of the redirect to the client's callback.
   */
  async signIn(authorizationUrl: string, login: string, redirectUri: string): Promise<string> {
    const cookies = new Map<string, string>();
    let url = authorizationUrl;
    let body: URLSearchParams | undefined;
    for (let step = 0; step < 10; step++) {
      const response = await fetch(url, {
        method: body ? 'POST' : 'GET',
        redirect: 'manual',
        headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
        body: body ?? null,
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      const location = response.headers.get('location');
      if (location?.startsWith(redirectUri)) return new URL(location).search.slice(1);
      const page = await response.text();
      if (location) {
        url = new URL(location, url).href;
        body = undefined;
      } else if (response.status === 200 && page.includes('name="login"')) {
        body = new URLSearchParams({ prompt: 'login', login, password: 'any' });
      } else {
        throw new Error(`The provider answered ${response.status} at ${url}`);
      }
    }
    throw new Error('The provider never redirected back');
  }

  async close(): Promise<void> {
    await Promise.all([this.front, this.genuine.server, this.impostor.server].map(closeServer));
  }

  /** Passes a request to the provider behind (or the impostor), and its answer back, forging if asked. */
  private async relay(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const behind = this.impostorActive ? this.impostor : this.genuine;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers.set(name, value);
    // The provider builds its URLs from the host the client asked for: the front's, not its own.
    headers.set('x-forwarded-host', request.headers.host ?? '');
    const answer = await fetch(`${behind.url}${request.url}`, {
      method: request.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : null,
      redirect: 'manual',
    });
    let body = Buffer.from(await answer.arrayBuffer());
    if (this.forgery && request.url?.startsWith('/token') && answer.status === 200) {
      const tokens = JSON.parse(body.toString('utf8')) as { id_token?: string };
      if (tokens.id_token) tokens.id_token = resign(tokens.id_token, this.forgery, behind);
      body = Buffer.from(JSON.stringify(tokens));
    }
    const location = answer.headers.get('location');
    if (this.holding && location?.startsWith(`${this.client.redirectUri}?`)) {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(
        `<!doctype html><a id="callback" href="${location.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}">back</a>`,
      );
      return;
    }
    response.statusCode = answer.status;
    answer.headers.forEach((value, name) => {
      if (
        !['content-length', 'content-encoding', 'transfer-encoding', 'set-cookie', 'connection'].includes(
          name,
        )
      )
        response.setHeader(name, value);
    });
    const setCookies = answer.headers.getSetCookie();
    if (setCookies.length > 0) response.setHeader('set-cookie', setCookies);
    response.setHeader('content-length', body.length);
    response.end(body);
  }
}

async function backend(
  issuer: string,
  client: TestClient,
  claims: Map<string, TestIdentityClaims>,
): Promise<Backend> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const configuration: Configuration = {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [client.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, ...claims.get(sub) }),
    }),
    // A first-party client: consent is implied.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { Grant } = ctx.oidc.provider;
      const clientId = ctx.oidc.client!.clientId;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (grantId) return Grant.find(grantId);
      const grant = new Grant({ clientId, accountId: ctx.oidc.session?.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    // The claims in the ID token, as most providers put them there when the scope asks for them.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
  };
  const provider = new Provider(issuer, configuration);
  // Behind the front, which says in X-Forwarded-Host which address the client used.
  provider.proxy = true;
  // Its development warnings are expected here.
  provider.on('server_error', () => undefined);
  const server = createServer(provider.callback());
  return { server, url: `http://127.0.0.1:${await listen(server)}`, key: privateKey, kid };
}

/** The ID token with its claims changed, signed again (RS256) with the provider's own key. */
function resign(idToken: string, forgery: IdTokenForgery, signer: Backend): string {
  const [header, payload] = idToken.split('.') as [string, string];
  const claims = forgery(
    JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
  );
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), signer.key).toString('base64url')}`;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
