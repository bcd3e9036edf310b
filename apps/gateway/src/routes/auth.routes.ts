import { Controller, Post, Req, Res } from '@nestjs/common';
import { CredentialsEndpoint, Public } from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { UpstreamProxy } from '../proxy/upstream-proxy.service';

/**
 * /api/auth/*: public, and the strictest rate limits (per client IP and per account named in the body),
 * since these routes are where passwords are guessed and stolen credentials are tried. Statuses and
 * bodies are the service's own: the gateway routes, it does not rewrite.
 */
@Public()
@Controller('api/auth')
export class AuthRoutes {
  constructor(private readonly proxy: UpstreamProxy) {}

  @CredentialsEndpoint()
  @Post('register')
  register(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/register');
  }

  @CredentialsEndpoint()
  @Post('login')
  login(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/login');
  }

  @CredentialsEndpoint()
  @Post('login/second-factor')
  completeLogin(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/login/second-factor');
  }

  @CredentialsEndpoint()
  @Post('refresh')
  refresh(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/refresh');
  }

  @CredentialsEndpoint()
  @Post('password-reset')
  requestPasswordReset(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/password-reset');
  }

  @CredentialsEndpoint()
  @Post('password-reset/complete')
  completePasswordReset(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/password-reset/complete');
  }

  @CredentialsEndpoint()
  @Post('email-verification')
  requestEmailVerification(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/email-verification');
  }

  @CredentialsEndpoint()
  @Post('email-verification/complete')
  completeEmailVerification(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/email-verification/complete');
  }

  @Post('logout')
  logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/auth/logout');
  }
}
