import { Controller, Delete, Get, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { CredentialsEndpoint, Roles, uuidParam } from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { UpstreamProxy } from '../proxy/upstream-proxy.service';

/**
 * /api/users/*: a valid access token is checked here already (the global guard), and admin routes
 * require the admin role here too; `users` checks both again (defence in depth).
 */
@Roles('user', 'admin')
@Controller('api/users')
export class UsersRoutes {
  constructor(private readonly proxy: UpstreamProxy) {}

  @Get('me')
  me(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me');
  }

  @Patch('me')
  updateMe(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me');
  }

  @Delete('me')
  deleteMe(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me');
  }

  @Delete('me/sessions')
  logOutEverywhere(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/sessions');
  }

  @Get('me/sessions')
  sessions(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/sessions');
  }

  @Delete('me/sessions/others')
  endOtherSessions(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/sessions/others');
  }

  @Delete('me/sessions/:id')
  endSession(
    @Param('id', uuidParam()) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    return this.proxy.forward(request, reply, 'users', `/users/me/sessions/${id}`);
  }

  @CredentialsEndpoint()
  @Post('me/password')
  changePassword(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/password');
  }

  @Get('me/mfa')
  secondFactorStatus(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/mfa');
  }

  @Post('me/mfa/totp')
  startTotpEnrolment(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/mfa/totp');
  }

  @CredentialsEndpoint()
  @Post('me/mfa/totp/confirm')
  confirmTotpEnrolment(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/mfa/totp/confirm');
  }

  @CredentialsEndpoint()
  @Post('me/mfa/disable')
  disableSecondFactor(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/mfa/disable');
  }

  @CredentialsEndpoint()
  @Post('me/reauthenticate')
  reauthenticate(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users/me/reauthenticate');
  }

  @Roles('admin')
  @Get()
  list(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/users');
  }

  @Roles('admin')
  @Patch(':id/role')
  changeRole(
    @Param('id', uuidParam()) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    return this.proxy.forward(request, reply, 'users', `/users/${id}/role`);
  }

  @Roles('admin')
  @Delete(':id/sessions')
  endSessionsOf(
    @Param('id', uuidParam()) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    return this.proxy.forward(request, reply, 'users', `/users/${id}/sessions`);
  }
}
