import { Controller, Get, Req, Res } from '@nestjs/common';
import { Public } from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { UpstreamProxy } from '../proxy/upstream-proxy.service';

/** The public signing keys, passed through from `users` for clients that verify tokens themselves. */
@Public()
@Controller('.well-known')
export class JwksRoutes {
  constructor(private readonly proxy: UpstreamProxy) {}

  @Get('jwks.json')
  jwks(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'users', '/.well-known/jwks.json');
  }
}
