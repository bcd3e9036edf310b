import { Controller, Get, HttpStatus, Post, Req, Res } from '@nestjs/common';
import {
  BrowserSessionEndpoint,
  CredentialsEndpoint,
  ErrorCode,
  expiredOidcBindingCookie,
  oidcBindingCookie,
  oidcBindingFromCookies,
  Public,
  refreshCookie,
  Roles,
} from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { UpstreamProxy } from '../proxy/upstream-proxy.service';

/** Where the browser lands after a sign-in, after a link, and after a failure (the code in the fragment). */
const SIGNED_IN_PAGE = '/runs';
const LINKED_PAGE = '/sessions';
const SIGN_IN_PAGE = '/sign-in';

/** Error codes are ours (`AUTH.OIDC_FAILED`); anything else from an answer does not go into a URL. */
const ERROR_CODE_SHAPE = /^[A-Z_]{1,32}\.[A-Z_]{1,64}$/;

interface Started {
  authorizationUrl: string;
  binding: string;
}

/**
 * /api/auth/oidc/*: "Sign in with OpenID Connect" for the web client. The browser goes to the provider and
 * back by top-level navigations, so these are GET routes that change state. They are not cross-site request
 * forgery holes:
 *
 * - `start` only creates a sign-in bound to the browser that made the request: the binding goes into that
 *   browser's cookie. A page of another site that sends a victim here starts a sign-in the victim would have
 *   to complete at the provider themselves, into their own account.
 * - `callback` completes a sign-in only for the browser holding the binding cookie of that sign-in's state,
 *   once. An attacker who makes the victim's browser bring back the attacker's own code and state (login CSRF:
 *   the victim would then work in the attacker's account) fails: the victim's browser has no binding for that
 *   state, or one for another state. The binding cookie is SameSite=Lax, which is what lets it come back with
 *   the provider's redirect (see oidc-binding-cookie.ts).
 *
 * `users` does the flow; the gateway only moves the binding and the refresh token between the browser's cookies
 * and `users`' JSON, and turns answers into redirects. Failures land on the sign-in page with the error code in
 * the fragment, which the browser never sends to a server.
 */
@Controller()
export class OidcRoutes {
  constructor(private readonly proxy: UpstreamProxy) {}

  /** Whether the sign-in page shows the button, and the provider's name for it. */
  @Public()
  @Get('api/auth/oidc')
  status(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/oidc');
  }

  @Public()
  @CredentialsEndpoint()
  @Get('api/auth/oidc/start')
  start(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/oidc/authorizations', {
      method: 'POST',
      body: {},
      rewriteAnswer: (statusCode, body, answer) => {
        if (statusCode !== HttpStatus.CREATED || !isStarted(body)) return failed(answer, body);
        void answer.header('set-cookie', oidcBindingCookie(body.binding));
        return redirect(answer, body.authorizationUrl);
      },
    });
  }

  @Public()
  @CredentialsEndpoint()
  @Get('api/auth/oidc/callback')
  callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    const binding = oidcBindingFromCookies(request.headers.cookie);
    const at = request.url.indexOf('?');
    const callbackQuery = at < 0 ? '' : request.url.slice(at + 1);
    if (binding === undefined || callbackQuery === '') {
      void reply.header('set-cookie', expiredOidcBindingCookie());
      return reply.send(failed(reply, { code: ErrorCode.OidcFailed }));
    }
    return this.proxy.forward(request, reply, 'users', '/auth/oidc/callback', {
      method: 'POST',
      body: { callbackQuery, binding },
      rewriteAnswer: (statusCode, body, answer) => {
        // The sign-in is over, whatever its outcome: the binding goes.
        const cookies = [expiredOidcBindingCookie()];
        if (statusCode === HttpStatus.OK && hasRefreshToken(body)) {
          void answer.header('set-cookie', [...cookies, refreshCookie(body.refreshToken)]);
          return redirect(answer, SIGNED_IN_PAGE);
        }
        void answer.header('set-cookie', cookies);
        if (statusCode === HttpStatus.OK && isLinked(body)) return redirect(answer, LINKED_PAGE);
        return failed(answer, body);
      },
    });
  }

  /**
   * The signed-in user starts linking an identity at the provider to the account (`users` requires a recent
   * authentication). Called by the page with its access token; the binding goes into the cookie, and the page
   * navigates to the provider with the URL answered.
   */
  @Roles('user', 'admin')
  @BrowserSessionEndpoint()
  @Post('api/users/me/identities/oidc')
  startLink(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/identities/oidc', {
      body: {},
      rewriteAnswer: (statusCode, body, answer) => {
        if (statusCode !== HttpStatus.CREATED || !isStarted(body)) return body;
        void answer.header('set-cookie', oidcBindingCookie(body.binding));
        return { authorizationUrl: body.authorizationUrl };
      },
    });
  }
}

function redirect(reply: FastifyReply, location: string): undefined {
  void reply.code(HttpStatus.FOUND).header('location', location).removeHeader('content-type');
  return undefined;
}

/** To the sign-in page, with the answer's error code (or the generic one) in the fragment. */
function failed(reply: FastifyReply, body: unknown): undefined {
  const { code } = (body ?? {}) as { code?: unknown };
  const shown = typeof code === 'string' && ERROR_CODE_SHAPE.test(code) ? code : ErrorCode.OidcFailed;
  return redirect(reply, `${SIGN_IN_PAGE}#error=${encodeURIComponent(shown)}`);
}

function isStarted(body: unknown): body is Started {
  const started = body as Partial<Record<keyof Started, unknown>> | undefined;
  return typeof started?.authorizationUrl === 'string' && typeof started.binding === 'string';
}

function hasRefreshToken(body: unknown): body is { refreshToken: string } {
  return typeof (body as { refreshToken?: unknown } | undefined)?.refreshToken === 'string';
}

function isLinked(body: unknown): boolean {
  return (body as { linked?: unknown } | undefined)?.linked === true;
}
