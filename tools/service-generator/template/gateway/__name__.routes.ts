import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { Roles, uuidParam } from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { UpstreamProxy } from '../proxy/upstream-proxy.service';

/** /api/__name__/*: for users and admins, forwarded to `__name__`, which enforces ownership in its queries. */
@Roles('user', 'admin')
@Controller('api/__name__')
export class __Name__Routes {
  constructor(private readonly proxy: UpstreamProxy) {}

  @Get('items')
  list(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, '__name__', '/__name__/items');
  }

  @Post('items')
  create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, '__name__', '/__name__/items');
  }

  @Get('items/:id')
  get(
    @Param('id', uuidParam()) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    return this.proxy.forward(request, reply, '__name__', `/__name__/items/${id}`);
  }
}
