import { Controller, HttpStatus, Post, Req, Res } from '@nestjs/common';
import {
  AppException,
  BrowserSessionEndpoint,
  CredentialsEndpoint,
  ErrorCode,
  type ErrorReply,
  expiredRefreshCookie,
  Public,
  refreshCookie,
  refreshTokenFromCookies,
  sendError,
} from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { UpstreamProxy } from '../proxy/upstream-proxy.service';

/** What a browser gets instead of a token pair: the access token only; the refresh token went into the cookie. */
interface BrowserTokenAnswer {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/**
 * /api/auth/browser/*: the web client's sessions. The same logins, refreshes and logouts as /api/auth/*, done
 * by the gateway for the browser, so that the refresh token lives in an HttpOnly cookie that no script of the
 * page can read (see refresh-cookie.ts), and the access token only in the page's memory. Every route here is
 * a BrowserSessionEndpoint: only the site's own pages may call it (cross-site request forgery). `users` never
 * sees the cookie, only the token in a JSON body, as from any other client.
 */
@Public()
@BrowserSessionEndpoint()
@Controller('api/auth/browser')
export class BrowserSessionRoutes {
  constructor(private readonly proxy: UpstreamProxy) {}

  @CredentialsEndpoint()
  @Post('login')
  login(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/login', {
      rewriteAnswer: keepRefreshTokenInCookie,
    });
  }

  @CredentialsEndpoint()
  @Post('login/second-factor')
  completeLogin(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/login/second-factor', {
      rewriteAnswer: keepRefreshTokenInCookie,
    });
  }

  @CredentialsEndpoint()
  @Post('refresh')
  refresh(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    const refreshToken = refreshTokenFromCookies(request.headers.cookie);
    if (refreshToken === undefined) {
      void reply.header('set-cookie', expiredRefreshCookie());
      sendError(
        reply as unknown as ErrorReply,
        new AppException(ErrorCode.InvalidRefreshToken, 'No browser session: sign in.'),
        String(request.id),
      );
      return reply;
    }
    return this.proxy.forward(request, reply, 'users', '/auth/refresh', {
      body: { refreshToken },
      rewriteAnswer: (statusCode, body, answer) => {
        // Spent, revoked or expired: the browser forgets it, and the client signs in again.
        if (statusCode === HttpStatus.UNAUTHORIZED) void answer.header('set-cookie', expiredRefreshCookie());
        return keepRefreshTokenInCookie(statusCode, body, answer);
      },
    });
  }

  /** Ends the session in `users`, and makes the browser forget the cookie whatever `users` answered. */
  @Post('logout')
  logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    const refreshToken = refreshTokenFromCookies(request.headers.cookie);
    void reply.header('set-cookie', expiredRefreshCookie());
    if (refreshToken === undefined) return reply.status(HttpStatus.NO_CONTENT).send();
    return this.proxy.forward(request, reply, 'users', '/auth/logout', {
      body: { refreshToken },
      rewriteAnswer: (statusCode, body) => (statusCode === HttpStatus.NO_CONTENT ? undefined : body),
    });
  }
}

/**
 * A token pair becomes the access token in the body and the refresh token in the cookie; anything else (a
 * second-factor challenge, an error) passes as it is.
 */
export function keepRefreshTokenInCookie(statusCode: number, body: unknown, reply: FastifyReply): unknown {
  if (statusCode === HttpStatus.OK && isTokenPair(body)) {
    void reply.header('set-cookie', refreshCookie(body.refreshToken));
    const answer: BrowserTokenAnswer = {
      accessToken: body.accessToken,
      tokenType: body.tokenType,
      expiresIn: body.expiresIn,
    };
    return answer;
  }
  return body;
}

function isTokenPair(body: unknown): body is BrowserTokenAnswer & { refreshToken: string } {
  const pair = body as Partial<BrowserTokenAnswer & { refreshToken: unknown }> | undefined;
  return typeof pair?.accessToken === 'string' && typeof pair.refreshToken === 'string';
}
