import { Controller, Delete, Get, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { Roles, uuidParam } from '@runnerly/security';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { UpstreamProxy } from '../proxy/upstream-proxy.service';

/** /api/runs/*: for users and admins, forwarded to `runs`, which enforces ownership in its queries. */
@Roles('user', 'admin')
@Controller('api/runs')
export class RunsRoutes {
  constructor(private readonly proxy: UpstreamProxy) {}

  @Get()
  list(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'runs', '/runs');
  }

  @Post()
  create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'runs', '/runs');
  }

  @Get('stats/weekly')
  weeklyStats(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    return this.proxy.forward(request, reply, 'runs', '/runs/stats/weekly');
  }

  @Get(':id')
  get(
    @Param('id', uuidParam()) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    return this.proxy.forward(request, reply, 'runs', `/runs/${id}`);
  }

  @Patch(':id')
  update(
    @Param('id', uuidParam()) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    return this.proxy.forward(request, reply, 'runs', `/runs/${id}`);
  }

  @Delete(':id')
  delete(
    @Param('id', uuidParam()) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    return this.proxy.forward(request, reply, 'runs', `/runs/${id}`);
  }
}
